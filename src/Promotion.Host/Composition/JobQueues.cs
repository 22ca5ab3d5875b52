using Promotion.Infrastructure.Messaging;

namespace Promotion.Host.Composition;

/// <summary>The broker queues of the engine's job messages, and which of them this host consumes.</summary>
internal static class JobQueues
{
    /// <summary>
    /// Login event batches for the coupon issuer. Outside producers may publish to the exchange of
    /// the same name (plain JSON, see the README).
    /// </summary>
    public const string LoginEvents = "promotion-login-events";

    /// <summary>Declares every job queue; hosts with the worker role consume them.</summary>
    public static void Declare(JobRoutes routes, HostRoles roles, IConfiguration promotion)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var worker = roles.HasFlag(HostRoles.Worker);
        var couponOptions = new Promotion.Engine.Coupons.CouponOptions();
        promotion.GetSection("Coupons").Bind(couponOptions);
        routes.Route<Promotion.Engine.Coupons.LoginEventBatch>(LoginEvents, consume: worker, concurrency: Math.Clamp(couponOptions.ConsumerConcurrency, 1, 64))
            .Configure<Promotion.Engine.Coupons.LoginEventBatch>(new JobRouteOptions(RetryFor: couponOptions.RetryFor, AcceptPlainJson: true));
    }
}

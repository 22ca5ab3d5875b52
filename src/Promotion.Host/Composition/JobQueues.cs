using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Infrastructure.Messaging;

namespace Promotion.Host.Composition;

/// <summary>The broker queues of the engine's job messages, and which of them this host consumes.</summary>
internal static class JobQueues
{
    /// <summary>Campaign plan messages.</summary>
    public const string Plan = "promotion-plan";

    /// <summary>Shard work messages, one queue per priority so a backlog of low shards never hides a high one.</summary>
    public static readonly IReadOnlyList<string> Shards = ["promotion-shards-high", "promotion-shards-normal", "promotion-shards-low"];

    /// <summary>
    /// Login event batches for the coupon issuer. Outside producers may publish to the exchange of
    /// the same name (plain JSON, see the README).
    /// </summary>
    public const string LoginEvents = "promotion-login-events";

    /// <summary>Declares every job queue; hosts with the worker role consume the worker queues.</summary>
    public static void Declare(JobRoutes routes, HostRoles roles, IConfiguration promotion)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var worker = roles.HasFlag(HostRoles.Worker);
        var shardOptions = new ShardOptions();
        promotion.GetSection("Shards").Bind(shardOptions);
        routes.Route<PlanCampaign>(Plan, consume: worker, concurrency: 2);
        var couponOptions = new Promotion.Engine.Coupons.CouponOptions();
        promotion.GetSection("Coupons").Bind(couponOptions);
        routes.Route<Promotion.Engine.Coupons.LoginEventBatch>(LoginEvents, consume: worker, concurrency: Math.Clamp(couponOptions.ConsumerConcurrency, 1, 64))
            .Configure<Promotion.Engine.Coupons.LoginEventBatch>(new JobRouteOptions(RetryFor: couponOptions.RetryFor, AcceptPlainJson: true));
        // Each queue may hold up to ConcurrentShards messages at the host's PriorityGate, which
        // admits ConcurrentShards of them at a time by priority with aging.
        routes.RouteBy<ProcessShard>(Shards, m => Shards[m.Priority switch { JobPriority.High => 0, JobPriority.Normal => 1, _ => 2 }], consume: worker, concurrency: Math.Clamp(shardOptions.ConcurrentShards, 1, 256));
    }
}

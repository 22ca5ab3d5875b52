using Promotion.Engine.Campaigns;
using Promotion.Infrastructure.Messaging;

namespace Promotion.Host.Composition;

/// <summary>The broker queues of the engine's job messages, and which of them this host consumes.</summary>
internal static class JobQueues
{
    /// <summary>Campaign plan messages.</summary>
    public const string Plan = "promotion-plan";

    /// <summary>Shard work messages.</summary>
    public const string Shards = "promotion-shards";

    /// <summary>Declares every job queue; hosts with the worker role consume the worker queues.</summary>
    public static void Declare(JobRoutes routes, HostRoles roles, IConfiguration promotion)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var worker = roles.HasFlag(HostRoles.Worker);
        var shardOptions = new ShardOptions();
        promotion.GetSection("Shards").Bind(shardOptions);
        routes.Route<PlanCampaign>(Plan, consume: worker, concurrency: 2);
        routes.Route<ProcessShard>(Shards, consume: worker, concurrency: Math.Clamp(shardOptions.ConcurrentShards, 1, 256));
    }
}

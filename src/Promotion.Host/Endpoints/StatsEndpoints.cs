using System.Globalization;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Stats;

namespace Promotion.Host.Endpoints;

/// <summary>
/// What the dashboard and scripts read: <c>GET /api/stats</c> (every section, cached briefly) and,
/// per campaign, bounded windows of its shards, a bucketed summary of all of them, and its send
/// rate history. Nothing here returns one row per shard beyond the requested window.
/// </summary>
internal static class StatsEndpoints
{
    /// <summary>Most shards one window request returns.</summary>
    public const int MaxShardWindow = 1_000;

    /// <summary>Most buckets one summary request returns.</summary>
    public const int MaxBuckets = 1_000;

    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/stats", async (StatsCollector stats) => Results.Json(await stats.CollectAsync(), ApiProblems.Json))
            .WithTags("Stats")
            .WithSummary("Dashboard statistics: one JSON section per contributor (campaigns, shards, nodes, queues, throughput, host, ...)")
            .Produces<Dictionary<string, object>>();

        var group = app.MapGroup("/api/campaigns").WithTags("Campaigns");
        group.MapGet("/{id}/shards", async (string id, string? from, string? limit, ICampaignStore campaigns, IShardStore shards, CancellationToken ct) =>
        {
            var errors = new List<(string, string)>();
            var guid = ApiProblems.ParseId(id);
            if (guid is null)
            {
                errors.Add(("id", "id must be a UUID"));
            }

            var start = ParseInt(from, 0, "from", 0, int.MaxValue, errors);
            var size = ParseInt(limit, 200, "limit", 1, MaxShardWindow, errors);
            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }

            if (await campaigns.GetAsync(guid!.Value, ct) is not { } campaign)
            {
                return ApiProblems.NotFound($"no campaign {guid}");
            }

            var items = await shards.ListAsync(guid.Value, start, size, ct);
            return Results.Json(new ShardWindowResponse(guid.Value, start, size, campaign.Shards.Total, items), ApiProblems.Json);
        })
        .WithSummary($"A window of the campaign's shards in shard order, from shard number 'from' (default 0), at most 'limit' (default 200, at most {MaxShardWindow:N0})")
        .Produces<ShardWindowResponse>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id}/shards/summary", async (string id, string? buckets, ICampaignStore campaigns, ICampaignStatsReader reader, CancellationToken ct) =>
        {
            var errors = new List<(string, string)>();
            var guid = ApiProblems.ParseId(id);
            if (guid is null)
            {
                errors.Add(("id", "id must be a UUID"));
            }

            var count = ParseInt(buckets, 100, "buckets", 1, MaxBuckets, errors);
            if (errors.Count > 0)
            {
                return ApiProblems.Invalid(errors);
            }

            if (await campaigns.GetAsync(guid!.Value, ct) is not { } campaign || await reader.SummarizeShardsAsync(guid.Value, count, ct) is not { } summary)
            {
                return ApiProblems.NotFound($"no campaign {guid}");
            }

            return Results.Json(new ShardSummaryResponse(guid.Value, campaign.Shards, summary), ApiProblems.Json);
        })
        .WithSummary($"Every shard of the campaign folded into at most 'buckets' (default 100, at most {MaxBuckets:N0}) runs of consecutive shards, with counts by status")
        .Produces<ShardSummaryResponse>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id}/throughput", async (string id, ICampaignStore campaigns, ThroughputSampler sampler, Microsoft.Extensions.Options.IOptions<StatsOptions> options, CancellationToken ct) =>
        {
            if (ApiProblems.ParseId(id) is not { } guid)
            {
                return ApiProblems.Invalid("id", "id must be a UUID");
            }

            if (await campaigns.GetAsync(guid, ct) is not { } campaign)
            {
                return ApiProblems.NotFound($"no campaign {guid}");
            }

            var t = sampler.ForCampaign(guid);
            return Results.Json(
                new ThroughputResponse(
                    guid, campaign.Status, campaign.MaxSendsPerSecond, campaign.Channels.Count, options.Value.SampleInterval.TotalSeconds,
                    t?.SendsPerSecond ?? 0, t?.MembersPerSecond ?? 0, t?.EtaSeconds, t?.Points ?? []),
                ApiProblems.Json);
        })
        .WithSummary("The campaign's send rate (sender calls/s, what maxSendsPerSecond limits) and member rate over the last minutes, sampled by this host")
        .Produces<ThroughputResponse>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static int ParseInt(string? text, int fallback, string field, int min, int max, List<(string, string)> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            errors.Add((field, $"{field} must be an integer between {min} and {max:N0}"));
            return fallback;
        }

        return n;
    }
}

/// <summary>A window of a campaign's shards.</summary>
/// <param name="CampaignId">Campaign.</param>
/// <param name="From">First shard number asked for.</param>
/// <param name="Limit">Most shards asked for.</param>
/// <param name="Total">Shards the campaign has.</param>
/// <param name="Items">The shards, in shard order.</param>
public sealed record ShardWindowResponse(Guid CampaignId, int From, int Limit, int Total, IReadOnlyList<ShardInfo> Items);

/// <summary>All of a campaign's shards in buckets.</summary>
/// <param name="CampaignId">Campaign.</param>
/// <param name="Counts">Shards by status.</param>
/// <param name="Buckets">Runs of consecutive shards with their counts by status.</param>
public sealed record ShardSummaryResponse(Guid CampaignId, ShardCounts Counts, IReadOnlyList<ShardBucket> Buckets);

/// <summary>A campaign's rates against its limit.</summary>
/// <param name="CampaignId">Campaign.</param>
/// <param name="Status">Its status now.</param>
/// <param name="MaxSendsPerSecond">Its cluster-wide limit of sender calls per second, or null.</param>
/// <param name="Channels">Channels per member (a member takes one call per channel it has).</param>
/// <param name="IntervalSeconds">Seconds between points.</param>
/// <param name="SendsPerSecond">Current sender calls per second.</param>
/// <param name="MembersPerSecond">Current members per second.</param>
/// <param name="EtaSeconds">Seconds left at the current rate, or null.</param>
/// <param name="Points">History, oldest first.</param>
public sealed record ThroughputResponse(
    Guid CampaignId,
    Domain.Campaigns.CampaignStatus Status,
    int? MaxSendsPerSecond,
    int Channels,
    double IntervalSeconds,
    double SendsPerSecond,
    double MembersPerSecond,
    double? EtaSeconds,
    IReadOnlyList<ThroughputPoint> Points);

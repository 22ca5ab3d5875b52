using Orleans;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// A campaign (key: campaign id) and the only writer of its row: it plans the audience into shards,
/// starts them a bounded number at a time, aggregates their progress, completes the campaign and
/// releases its follow-ups. While the campaign is not over, an Orleans reminder brings the grain
/// back after any restart, and a silo leaving the cluster makes it restart that silo's shards.
/// </summary>
[Alias("promotion.campaign")]
public interface ICampaignGrain : IGrainWithGuidKey
{
    /// <summary>Stores the campaign (Pending) unless it exists, then starts it: see <see cref="StartAsync"/>.</summary>
    [Alias("create")]
    Task CreateAsync(NewCampaign campaign);

    /// <summary>
    /// Keeps the campaign going, whatever its state: plans it, waits for the campaign it follows, or
    /// (re)starts its shards. Returns at once; the work runs in the grain. Repeating it is harmless.
    /// </summary>
    [Alias("start")]
    Task StartAsync();

    /// <summary>Pauses: running shards stop at their next page boundary.</summary>
    [Alias("pause")]
    Task<CampaignChange> PauseAsync();

    /// <summary>Resumes from the shards' checkpoints.</summary>
    [Alias("resume")]
    Task<CampaignChange> ResumeAsync();

    /// <summary>Cancels: shards not started are cancelled now, running ones after their in-flight page.</summary>
    [Alias("cancel")]
    Task<CampaignChange> CancelAsync();

    /// <summary>A shard checkpointed a page; the campaign's counters are re-aggregated within a second.</summary>
    [Alias("shard-progress")]
    [Orleans.Concurrency.OneWay]
    Task ShardProgressAsync(int shardNo);

    /// <summary>A shard ended (done, failed or cancelled): the next one starts, or the campaign completes.</summary>
    [Alias("shard-ended")]
    Task ShardEndedAsync(int shardNo);

    /// <summary>
    /// A silo left the cluster: the shards it ran start again elsewhere from their checkpoints. On a
    /// new activation (this grain lived there too) the campaign is taken over first.
    /// </summary>
    [Alias("silo-left")]
    Task SiloLeftAsync();
}

/// <summary>What became of an operator's pause, resume or cancel.</summary>
/// <param name="Found">False when there is no such campaign.</param>
/// <param name="Refusal">Why the state machine refused it; null when it was applied.</param>
[GenerateSerializer, Alias("promotion.campaign-change")]
public sealed record CampaignChange([property: Id(0)] bool Found, [property: Id(1)] string? Refusal)
{
    /// <summary>Applied.</summary>
    public static CampaignChange Applied { get; } = new(true, null);

    /// <summary>No such campaign.</summary>
    public static CampaignChange Unknown { get; } = new(false, null);
}

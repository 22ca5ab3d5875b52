namespace Promotion.Engine.Campaigns;

/// <summary>
/// What planning learns from indexed aggregates: the audience size, and the id at every
/// shard-size-th position (the shard boundaries) with the largest id.
/// </summary>
/// <param name="AudienceSize">Members the campaign targets.</param>
/// <param name="Boundaries">First id of each shard, increasing.</param>
/// <param name="MaxId">Largest id in the id space cut (the last shard ends after it).</param>
public sealed record AudiencePlan(long AudienceSize, IReadOnlyList<long> Boundaries, long MaxId)
{
    /// <summary>Nothing to send.</summary>
    public static AudiencePlan Empty { get; } = new(0, [], 0);
}

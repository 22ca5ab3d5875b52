namespace Promotion.Domain.Campaigns;

/// <summary>One shard: members with <see cref="Lo"/> &lt;= id &lt; <see cref="Hi"/>.</summary>
/// <param name="ShardNo">0-based position of the shard in the campaign.</param>
/// <param name="Lo">First member id of the range (inclusive).</param>
/// <param name="Hi">End of the range (exclusive).</param>
public readonly record struct ShardRange(int ShardNo, long Lo, long Hi);

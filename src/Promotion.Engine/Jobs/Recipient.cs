using Promotion.Domain.Delivery;
using Promotion.Domain.Members;

namespace Promotion.Engine.Jobs;

/// <summary>One member a shard handles, and the channels to send on.</summary>
public sealed record Recipient(Member Member, IReadOnlyList<Channel> Channels);

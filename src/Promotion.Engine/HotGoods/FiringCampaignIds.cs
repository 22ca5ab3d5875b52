using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Promotion.Engine.HotGoods;

/// <summary>
/// The campaign ids a firing creates, derived from (schedule, scheduled fire time): a firing re-run
/// on another host after its first host died between creating the campaign and recording it finds
/// the same ids, so it starts no second campaign and no second follow-up.
/// </summary>
internal static class FiringCampaignIds
{
    /// <summary>The hot-goods campaign of the firing.</summary>
    public static Guid Campaign(Guid scheduleId, DateTimeOffset scheduledAt) => Derive(scheduleId, scheduledAt, role: 1);

    /// <summary>The follow-up campaign that waits for <see cref="Campaign"/>.</summary>
    public static Guid FollowUp(Guid scheduleId, DateTimeOffset scheduledAt) => Derive(scheduleId, scheduledAt, role: 2);

    // A name-based UUID (RFC 9562 version 8): SHA-256 over the inputs, version and variant bits set.
    private static Guid Derive(Guid scheduleId, DateTimeOffset scheduledAt, byte role)
    {
        Span<byte> input = stackalloc byte[16 + 8 + 1];
        scheduleId.TryWriteBytes(input[..16], bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(input.Slice(16, 8), scheduledAt.UtcTicks);
        input[24] = role;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}

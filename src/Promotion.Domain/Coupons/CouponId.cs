using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Promotion.Domain.Coupons;

/// <summary>
/// The id of the coupon a member holds from a coupon campaign, derived from the pair: every
/// worker, every redelivery and every restore computes the same id, so Redis and PostgreSQL never
/// need to exchange it and a repeated write of the same coupon is the same row.
/// </summary>
public static class CouponId
{
    /// <summary>A name-based UUID (version 5 layout, SHA-1) of (<paramref name="couponCampaignId"/>, <paramref name="memberId"/>).</summary>
    public static Guid For(Guid couponCampaignId, long memberId)
    {
        Span<byte> name = stackalloc byte[24];
        couponCampaignId.TryWriteBytes(name[..16], bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(name[16..], memberId);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // SHA-1 names the id (as RFC 9562 version 5 does); it protects nothing
        SHA1.HashData(name, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}

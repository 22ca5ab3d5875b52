using Promotion.Domain.Delivery;

namespace Promotion.Domain.Members;

/// <summary>
/// A member of the platform as the engine sees it: an id, the segments (profile tags) the member
/// belongs to, and a contact per channel. A missing contact means the channel cannot reach them.
/// </summary>
/// <param name="Id">The member id; may be as sparse as a snowflake id.</param>
/// <param name="Segments">Profile tags such as "new-mothers" or "gamers".</param>
/// <param name="Email">Email address, if known.</param>
/// <param name="Phone">Phone number for SMS, if known.</param>
/// <param name="AppToken">App push device token, if the member installed the app.</param>
public sealed record Member(long Id, IReadOnlyList<string> Segments, string? Email, string? Phone, string? AppToken)
{
    /// <summary>The contact for <paramref name="channel"/>, or null when the member cannot be reached there.</summary>
    public string? ContactFor(Channel channel) => channel switch
    {
        Channel.App => AppToken,
        Channel.Sms => Phone,
        Channel.Email => Email,
        Channel.Inbox => Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>True when the member carries <paramref name="segment"/>.</summary>
    public bool IsIn(string segment) => Segments.Contains(segment, StringComparer.Ordinal);
}

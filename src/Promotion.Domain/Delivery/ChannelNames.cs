using System.Diagnostics.CodeAnalysis;

namespace Promotion.Domain.Delivery;

/// <summary>Converts channels to and from their wire names (app, sms, email, inbox).</summary>
public static class ChannelNames
{
    /// <summary>The wire name of <paramref name="channel"/>.</summary>
    public static string ToWire(this Channel channel) => channel switch
    {
        Channel.App => "app",
        Channel.Sms => "sms",
        Channel.Email => "email",
        Channel.Inbox => "inbox",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "unknown channel"),
    };

    /// <summary>Parses a wire name, case-insensitively; false for anything else.</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out Channel? channel)
    {
        channel = name?.Trim().ToLowerInvariant() switch
        {
            "app" => Channel.App,
            "sms" => Channel.Sms,
            "email" => Channel.Email,
            "inbox" => Channel.Inbox,
            _ => null,
        };
        return channel is not null;
    }

    /// <summary>All wire names, for error messages.</summary>
    public static IReadOnlyList<string> All { get; } = ["app", "sms", "email", "inbox"];
}

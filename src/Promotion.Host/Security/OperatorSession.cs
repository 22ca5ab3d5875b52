using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Promotion.Host.Security;

/// <summary>
/// The browser's sign-in: an operator who typed a valid key gets an HttpOnly cookie holding the time
/// it was issued and an HMAC of that time under the key. The key itself never travels again and
/// cannot be read back from the cookie; any api host with the same keys accepts it (nothing is stored
/// server-side), and removing the key from configuration ends every session made with it.
/// </summary>
internal sealed class OperatorSession(SecurityOptions options, TimeProvider time)
{
    public const string CookieName = "promotion.operator";

    /// <summary>How long a sign-in lasts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly byte[][] _keys = [.. options.OperatorApiKeys.Select(k => Encoding.UTF8.GetBytes(k))];

    /// <summary>A session value for <paramref name="operatorKey"/> (which the caller has checked).</summary>
    public string Issue(string operatorKey)
    {
        var issued = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return issued + "." + Convert.ToBase64String(Sign(Encoding.UTF8.GetBytes(operatorKey), issued));
    }

    /// <summary>True when <paramref name="value"/> was issued under a configured operator key within <see cref="Lifetime"/>.</summary>
    public bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Split('.') is not [var issued, var mac]
            || !long.TryParse(issued, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age < TimeSpan.FromMinutes(-1) || age > Lifetime)
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromBase64String(mac);
        }
        catch (FormatException)
        {
            return false;
        }

        // Every key is tried (no early exit), as ApiKeyRing does, so timing tells nothing.
        var match = false;
        foreach (var key in _keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(Sign(key, issued), presented);
        }

        return match;
    }

    private static byte[] Sign(byte[] key, string issued) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("promotion-operator-session:" + issued));
}

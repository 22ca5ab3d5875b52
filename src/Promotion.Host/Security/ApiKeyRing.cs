using System.Security.Cryptography;
using System.Text;

namespace Promotion.Host.Security;

/// <summary>
/// The configured keys, kept as SHA-256 digests and compared in constant time against every key
/// (no early exit), so neither a key's content nor which key matched shows in response timing.
/// </summary>
internal sealed class ApiKeyRing
{
    private readonly byte[][] _operators;
    private readonly byte[][] _producers;

    public ApiKeyRing(SecurityOptions options)
    {
        _operators = [.. options.OperatorApiKeys.Select(Digest)];
        _producers = [.. options.ProducerApiKeys.Select(Digest)];
    }

    /// <summary>What <paramref name="presented"/> may do.</summary>
    public ApiKeyRole RoleOf(string presented)
    {
        var digest = Digest(presented);
        var isOperator = MatchesAny(_operators, digest);
        var isProducer = MatchesAny(_producers, digest);
        return isOperator ? ApiKeyRole.Operator : isProducer ? ApiKeyRole.Producer : ApiKeyRole.None;
    }

    private static bool MatchesAny(byte[][] keys, byte[] digest)
    {
        var match = false;
        foreach (var key in keys)
        {
            match |= CryptographicOperations.FixedTimeEquals(key, digest);
        }

        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>What a presented key may do.</summary>
internal enum ApiKeyRole
{
    None,
    Producer,
    Operator,
}

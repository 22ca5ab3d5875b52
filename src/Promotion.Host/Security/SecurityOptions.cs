namespace Promotion.Host.Security;

/// <summary>API keys, bound from <c>Promotion:Security</c>. Keys come from configuration (environment, secret store), never from the repository.</summary>
public sealed class SecurityOptions
{
    /// <summary>Shortest key accepted: shorter ones are guessable.</summary>
    public const int MinKeyLength = 16;

    /// <summary>Keys that may call the whole admin API and the ingestion endpoints.</summary>
    public IReadOnlyList<string> OperatorApiKeys { get; set; } = [];

    /// <summary>Keys that may only post events (<c>/api/events/...</c>).</summary>
    public IReadOnlyList<string> ProducerApiKeys { get; set; } = [];

    /// <summary>True when no key of either kind is configured.</summary>
    public bool IsOpen => OperatorApiKeys.Count == 0 && ProducerApiKeys.Count == 0;
}

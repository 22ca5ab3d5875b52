using Orleans;

namespace Promotion.Engine.Delivery;

/// <summary>
/// One campaign's send limit for the whole cluster (key: campaign id). Silos lease tokens from it in
/// small slices as their sends need them, so <c>maxSendsPerSecond</c> holds across the cluster and a
/// silo with nothing to send for the campaign holds no share of it.
/// </summary>
[Alias("promotion.send-limit")]
public interface ISendLimitGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Grants up to <paramref name="wanted"/> tokens of a limit of <paramref name="perSecond"/> sends a
    /// second; when none is left, says how long to wait before asking again.
    /// </summary>
    [Alias("lease")]
    Task<SendTokens> LeaseAsync(int perSecond, int wanted);
}

/// <summary>Tokens granted by <see cref="ISendLimitGrain.LeaseAsync"/>.</summary>
/// <param name="Granted">Sends that may start now.</param>
/// <param name="RetryAfter">When nothing was granted, how long until tokens are there again.</param>
[GenerateSerializer, Alias("promotion.send-tokens")]
public readonly record struct SendTokens([property: Id(0)] int Granted, [property: Id(1)] TimeSpan RetryAfter);

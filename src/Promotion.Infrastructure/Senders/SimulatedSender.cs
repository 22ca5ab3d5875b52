using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Promotion.Engine.Delivery;

namespace Promotion.Infrastructure.Senders;

/// <summary>
/// Stands in for the third-party senders (embedded profile, demos, tests): answers after a fixed
/// latency with failures that are reproducible from run to run. Whether a member-channel fails
/// permanently is decided by a hash of its idempotency key; a transient failure is decided per
/// (key, attempt number), so a retry of the same key can succeed.
/// </summary>
public sealed class SimulatedSender : ISender
{
    private const ulong PermanentSalt = 0x5EED_0001;
    private const ulong TransientSalt = 0x5EED_0002;
    private const ulong AttemptStride = 0x9E37_79B9_7F4A_7C15;

    // Only keys whose last attempt failed transiently are kept (a success removes them), so this
    // holds about the retries in flight; the cap only guards against keys whose retries were given up.
    private const int MaxTrackedKeys = 100_000;

    private readonly TimeSpan _latency;
    private readonly double _transientRate;
    private readonly double _permanentRate;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, int> _nextAttempt = new(StringComparer.Ordinal);
    private long _sent;
    private long _transient;
    private long _permanent;

    /// <summary>Creates the sender; the options are validated at start (see <c>AddPromotionSimulatedSender</c>).</summary>
    public SimulatedSender(IOptions<SimulatedSenderOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _latency = options.Value.Latency;
        _transientRate = options.Value.TransientFailureRate;
        _permanentRate = options.Value.PermanentFailureRate;
        _time = time;
    }

    /// <summary>Attempts answered as sent.</summary>
    public long SentCount => Interlocked.Read(ref _sent);

    /// <summary>Attempts answered as a transient failure.</summary>
    public long TransientFailureCount => Interlocked.Read(ref _transient);

    /// <summary>Attempts answered as a permanent failure.</summary>
    public long PermanentFailureCount => Interlocked.Read(ref _permanent);

    /// <inheritdoc />
    public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_latency > TimeSpan.Zero)
        {
            await Task.Delay(_latency, _time, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var key = message.IdempotencyKey;
        if (KeyHash.Hits(key, PermanentSalt, _permanentRate))
        {
            Interlocked.Increment(ref _permanent);
            return SendResult.Permanent("simulated: recipient rejected");
        }

        var attempt = _nextAttempt.TryGetValue(key, out var next) ? next : 0;
        if (KeyHash.Hits(key, TransientSalt + ((ulong)attempt * AttemptStride), _transientRate))
        {
            if (_nextAttempt.Count >= MaxTrackedKeys)
            {
                _nextAttempt.Clear();
            }

            _nextAttempt[key] = attempt + 1;
            Interlocked.Increment(ref _transient);
            return SendResult.Transient(string.Create(CultureInfo.InvariantCulture, $"simulated: HTTP 503 (attempt {attempt + 1})"));
        }

        if (attempt > 0)
        {
            _nextAttempt.TryRemove(key, out _);
        }

        Interlocked.Increment(ref _sent);
        return SendResult.Sent;
    }
}

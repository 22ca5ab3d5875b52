using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Promotion.Domain.Delivery;
using Promotion.Engine.Diagnostics;
using System.Threading.RateLimiting;

namespace Promotion.Engine.Delivery;

/// <summary>
/// Sends through the <see cref="ISender"/> with a bounded in-flight window per silo, the
/// campaign's rate limit per attempt, and retries of transient errors (exponential backoff with
/// jitter, bounded). One failing send never throws: it ends as an outcome with a reason.
/// </summary>
public sealed partial class PushFanOut : IDisposable
{
    private readonly ISender _sender;
    private readonly SemaphoreSlim _window;
    private readonly ResiliencePipeline<SendResult> _retry;
    private readonly PromotionInstruments _instruments;
    private readonly TimeProvider _time;
    private readonly ILogger<PushFanOut> _logger;
    private int _inFlight;

    /// <summary>Creates the fan-out.</summary>
    public PushFanOut(ISender sender, IOptions<FanOutOptions> options, PromotionInstruments instruments, TimeProvider time, ILogger<PushFanOut> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _sender = sender;
        _instruments = instruments;
        _time = time;
        _logger = logger;
        _window = new SemaphoreSlim(o.InFlightWindow, o.InFlightWindow);
        _retry = new ResiliencePipelineBuilder<SendResult> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<SendResult>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result.Status == SendStatus.TransientFailure),
                MaxRetryAttempts = Math.Max(0, o.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryBaseDelay,
                MaxDelay = o.RetryMaxDelay,
            })
            .Build();
    }

    /// <summary>Sends holding an in-flight slot now.</summary>
    public int InFlightSends => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Sends <paramref name="message"/>: each attempt first takes a token of <paramref name="limiter"/>
    /// when given, then an in-flight slot, so a send waiting for its campaign's limit holds no slot
    /// another campaign could use. Cancellation stops waiting and propagates.
    /// </summary>
    public async Task<(DeliveryOutcome Outcome, string? Reason)> SendAsync(OutgoingMessage message, RateLimiter? limiter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var span = PromotionTraces.StartSend(message.CampaignId, message.MemberId, message.Channel);
        var timing = new SendTiming();
        var result = await _retry.ExecuteAsync(
            static async (state, token) => await state.Self.AttemptAsync(state.Message, state.Limiter, state.Timing, token),
            (Self: this, Message: message, Limiter: limiter, Timing: timing),
            cancellationToken);
        var (outcome, reason) = result.Status switch
        {
            SendStatus.Sent => (DeliveryOutcome.Sent, (string?)null),
            SendStatus.PermanentFailure => (DeliveryOutcome.Failed, result.Reason),
            _ => (DeliveryOutcome.Failed, "retries exhausted: " + result.Reason),
        };
        _instruments.RecordSend(message.Channel, outcome, timing.Started is { } started ? _time.GetElapsedTime(started) : TimeSpan.Zero);
        PromotionTraces.EndSend(span, outcome, reason);
        return (outcome, reason);
    }

    /// <inheritdoc />
    public void Dispose() => _window.Dispose();

    private async ValueTask<SendResult> AttemptAsync(OutgoingMessage message, RateLimiter? limiter, SendTiming timing, CancellationToken cancellationToken)
    {
        if (limiter is not null)
        {
            using var lease = await limiter.AcquireAsync(1, cancellationToken);
            if (!lease.IsAcquired)
            {
                return SendResult.Transient("send limit closed");
            }
        }

        await _window.WaitAsync(cancellationToken);
        timing.Started ??= _time.GetTimestamp();
        Interlocked.Increment(ref _inFlight);
        _instruments.SendsInFlight.Add(1);
        try
        {
            _instruments.RecordAttempt(message.CampaignId);
            return await _sender.SendAsync(message, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A sender that throws instead of answering is treated as a transient error.
            LogSenderThrew(_logger, message.CampaignId, message.MemberId, ex);
            return SendResult.Transient(ex.GetType().Name + ": " + ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _instruments.SendsInFlight.Add(-1);
            _window.Release();
        }
    }

    // When the send first took an in-flight slot: the duration metric runs from there to the final outcome.
    private sealed class SendTiming
    {
        public long? Started { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sender threw for campaign {CampaignId} member {MemberId}; retrying as transient")]
    private static partial void LogSenderThrew(ILogger logger, Guid campaignId, long memberId, Exception exception);
}

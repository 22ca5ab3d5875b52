using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Promotion.Domain.Delivery;
using Promotion.Engine.Delivery;
using Promotion.Engine.Diagnostics;

namespace Promotion.Engine.Tests.Delivery;

public sealed class PushFanOutTests : IDisposable
{
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _metrics.Dispose();

    private PushFanOut FanOut(ISender sender, int window = 1000, int attempts = 4) => new(
        sender,
        Options.Create(new FanOutOptions { InFlightWindow = window, MaxAttempts = attempts, RetryBaseDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(5) }),
        new PromotionInstruments(_metrics.GetRequiredService<IMeterFactory>()),
        TimeProvider.System,
        NullLogger<PushFanOut>.Instance);

    private static OutgoingMessage Message(long member) =>
        new(Guid.NewGuid(), member, Channel.App, "tok", "t", "b", "k" + member, null);

    [Fact]
    public async Task Transient_errors_are_retried_until_the_sender_accepts()
    {
        var sender = new ScriptedSender(SendResult.Transient("HTTP 503"), SendResult.Transient("HTTP 429"), SendResult.Sent);
        var (outcome, reason) = await FanOut(sender).SendAsync(Message(1), null, default);
        Assert.Equal(DeliveryOutcome.Sent, outcome);
        Assert.Null(reason);
        Assert.Equal(3, sender.Calls);
    }

    [Fact]
    public async Task Transient_errors_beyond_the_attempts_fail_with_the_last_reason()
    {
        var sender = new ScriptedSender(SendResult.Transient("HTTP 503"));
        var (outcome, reason) = await FanOut(sender, attempts: 3).SendAsync(Message(1), null, default);
        Assert.Equal(DeliveryOutcome.Failed, outcome);
        Assert.Equal("retries exhausted: HTTP 503", reason);
        Assert.Equal(3, sender.Calls);
    }

    [Fact]
    public async Task Permanent_errors_fail_at_once()
    {
        var sender = new ScriptedSender(SendResult.Permanent("HTTP 400: no such device"));
        var (outcome, reason) = await FanOut(sender).SendAsync(Message(1), null, default);
        Assert.Equal((DeliveryOutcome.Failed, "HTTP 400: no such device"), (outcome, reason));
        Assert.Equal(1, sender.Calls);
    }

    [Fact]
    public async Task A_sender_that_throws_is_a_transient_error_not_a_crash()
    {
        var sender = new ScriptedSender(null, SendResult.Sent);
        var (outcome, _) = await FanOut(sender).SendAsync(Message(1), null, default);
        Assert.Equal(DeliveryOutcome.Sent, outcome);
        Assert.Equal(2, sender.Calls);
    }

    [Fact]
    public async Task The_in_flight_window_bounds_concurrent_sends()
    {
        var sender = new GateSender();
        var fanOut = FanOut(sender, window: 8);
        var sends = Enumerable.Range(0, 50).Select(i => fanOut.SendAsync(Message(i), null, default)).ToList();
        await Promotion.TestSupport.Eventually.TrueAsync(() => sender.Waiting == 8, TimeSpan.FromSeconds(10), "the window to fill");
        Assert.Equal(8, fanOut.InFlightSends);
        sender.Open();
        await Task.WhenAll(sends);
        Assert.Equal(8, sender.MaxConcurrent);
        Assert.Equal(0, fanOut.InFlightSends);
    }

    private sealed class ScriptedSender(params SendResult?[] script) : ISender
    {
        private int _calls;

        public int Calls => _calls;

        public Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls) - 1;
            var next = script[Math.Min(n, script.Length - 1)];
            return next is { } r ? Task.FromResult(r) : throw new HttpRequestException("connection reset");
        }
    }

    private sealed class GateSender : ISender
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;
        private int _max;

        public int Waiting => Volatile.Read(ref _waiting);

        public int MaxConcurrent => Volatile.Read(ref _max);

        public void Open() => _gate.SetResult();

        public async Task<SendResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _waiting);
            int seen;
            while ((seen = Volatile.Read(ref _max)) < now && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }

            await _gate.Task;
            Interlocked.Decrement(ref _waiting);
            return SendResult.Sent;
        }
    }
}

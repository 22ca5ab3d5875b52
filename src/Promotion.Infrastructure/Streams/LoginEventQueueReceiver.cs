using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Streams;

/// <summary>
/// Reads one partition queue for the pulling agent. A message stays unacknowledged on the broker
/// while its events sit in the agent's cache and are delivered; the agent reports it delivered
/// (<c>MessagesDeliveredAsync</c>) only once the partition grain's delivery completed, and
/// only then is it acknowledged, or, when it also held malformed events, moved to the dead-letter
/// queue with the reason. A batch whose delivery kept failing is never reported delivered: the
/// failure handler dead-letters it instead (<see cref="DeadLetterUndeliveredAsync"/>). If this
/// silo dies, nothing it held was acknowledged, so the broker hands it all out again.
/// </summary>
internal sealed partial class LoginEventQueueReceiver(
    QueueId queueId,
    ILoginEventTransport transport,
    Func<long> nextSequenceNumber,
    ILogger logger) : IQueueAdapterReceiver
{
    private readonly int _partition = LoginPartitionQueueMapper.PartitionOf(queueId);
    private readonly StreamId _stream = LoginStreams.Partition(LoginPartitionQueueMapper.PartitionOf(queueId));
    private readonly ConcurrentDictionary<long, Held> _held = new();
    private ILoginEventQueueReader? _reader;

    /// <summary>Messages taken and not yet settled.</summary>
    public int Unsettled => _held.Count;

    public async Task Initialize(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await EnsureReaderAsync(cts.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The agent goes on calling; the next read opens the consumer again.
            LogOpenFailed(logger, _partition, ex);
        }
    }

    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken) => GetQueueMessagesAsync(maxCount);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken) => MessagesDeliveredAsync(messages);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount)
    {
        var reader = await EnsureReaderAsync(CancellationToken.None);
        var taken = reader.Take(Math.Max(1, maxCount));
        var containers = new List<IBatchContainer>(taken.Count);
        foreach (var message in taken)
        {
            var body = LoginEventCodec.Decode(message.Body);
            if (body.Events.Count == 0)
            {
                // Nothing to deliver: settle it at once, so the partition goes on.
                await SettleAsync(new Held(reader, message, body.Problem), null);
                continue;
            }

            var sequence = nextSequenceNumber();
            _held[sequence] = new Held(reader, message, body.Problem);
            var events = message.TraceParent is { } traceParent ? body.Events.Select(e => e with { TraceParent = traceParent }) : body.Events;
            containers.Add(new LoginEventContainer(_stream, new EventSequenceTokenV2(sequence), [.. events]));
        }

        return containers;
    }

    public async Task MessagesDeliveredAsync(IList<IBatchContainer> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
        {
            if (message.SequenceToken is EventSequenceTokenV2 token && _held.TryRemove(token.SequenceNumber, out var held))
            {
                await SettleAsync(held, null);
            }
        }
    }

    /// <summary>
    /// Moves the message behind <paramref name="token"/> to the dead-letter queue with
    /// <paramref name="reason"/>: its delivery kept failing past the retry window.
    /// </summary>
    public async Task DeadLetterUndeliveredAsync(StreamSequenceToken? token, string reason)
    {
        if (token is EventSequenceTokenV2 t && _held.TryRemove(t.SequenceNumber, out var held))
        {
            LogDeadLettered(logger, _partition, reason);
            await SettleAsync(held, held.Problem is null ? reason : reason + "; " + held.Problem);
        }
    }

    public async Task Shutdown(TimeSpan timeout)
    {
        // Whatever is still held goes back to the queue when the consumer closes.
        _held.Clear();
        if (Interlocked.Exchange(ref _reader, null) is { } reader)
        {
            await reader.DisposeAsync();
        }
    }

    private async Task<ILoginEventQueueReader> EnsureReaderAsync(CancellationToken cancellationToken)
    {
        if (_reader is { IsOpen: true } open)
        {
            return open;
        }

        if (_reader is { } broken)
        {
            // Its unacknowledged messages are handed out again by the broker; forget them here.
            foreach (var (sequence, held) in _held)
            {
                if (ReferenceEquals(held.Reader, broken))
                {
                    _held.TryRemove(sequence, out _);
                }
            }

            _reader = null;
            await broken.DisposeAsync();
        }

        _reader = await transport.OpenAsync(_partition, cancellationToken);
        return _reader;
    }

    private async Task SettleAsync(Held held, string? failure)
    {
        var reason = failure ?? held.Problem;
        try
        {
            if (reason is null)
            {
                await held.Reader.AckAsync(held.Message, CancellationToken.None);
            }
            else
            {
                await held.Reader.DeadLetterAsync(held.Message, reason, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Unsettled, it comes back when the consumer is reopened: delivered again, never lost.
            LogSettleFailed(logger, _partition, ex);
            if (ReferenceEquals(_reader, held.Reader))
            {
                _reader = null;
                await held.Reader.DisposeAsync();
            }
        }
    }

    private sealed record Held(ILoginEventQueueReader Reader, TransportMessage Message, string? Problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login partition {Partition}: opening its queue failed; trying again on the next read")]
    private static partial void LogOpenFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login partition {Partition}: settling a message failed; the consumer is reopened and the broker delivers it again")]
    private static partial void LogSettleFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Login partition {Partition}: a batch goes to the dead-letter queue: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, int partition, string reason);
}

using System.Collections.Concurrent;
using Promotion.Engine.Messaging;

namespace Promotion.Engine.Tests;

/// <summary>A dispatcher that keeps what it was asked to send, so a test can hand the messages to handlers itself.</summary>
public sealed class RecordingDispatcher : IJobDispatcher
{
    public ConcurrentQueue<object> Sent { get; } = new();

    public Task SendAsync<T>(IReadOnlyCollection<T> messages, CancellationToken cancellationToken)
        where T : class, IJobMessage
    {
        foreach (var m in messages)
        {
            Sent.Enqueue(m);
        }

        return Task.CompletedTask;
    }
}

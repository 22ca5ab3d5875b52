namespace Promotion.Engine.Stats;

/// <summary>Port: how many messages wait in each login-event partition queue and in the dead-letter queue.</summary>
public interface IQueueDepths
{
    /// <summary>Every partition queue and the dead-letter queue with its depth, or with a note saying why the depth is unknown.</summary>
    Task<IReadOnlyList<QueueDepth>> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>A queue and what the broker says about it.</summary>
/// <param name="Name">Queue name.</param>
/// <param name="Messages">Messages ready in the queue, or null when the transport cannot tell.</param>
/// <param name="Consumers">Consumers attached, or null when the transport cannot tell.</param>
/// <param name="Note">Why a number is missing (memory streams, broker unreachable), or what the queue holds, or null.</param>
/// <param name="DeadLetter">True for the dead-letter queue (batches that could not be decided).</param>
public sealed record QueueDepth(string Name, long? Messages, long? Consumers, string? Note = null, bool DeadLetter = false);

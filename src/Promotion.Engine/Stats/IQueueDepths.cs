namespace Promotion.Engine.Stats;

/// <summary>Port: how many messages wait in each job queue of the broker.</summary>
public interface IQueueDepths
{
    /// <summary>Every job queue with its depth, or with a note saying why the depth is unknown.</summary>
    Task<IReadOnlyList<QueueDepth>> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>A queue and what the broker says about it.</summary>
/// <param name="Name">Queue name.</param>
/// <param name="Messages">Messages ready in the queue, or null when the transport cannot tell.</param>
/// <param name="Consumers">Consumers attached, or null when the transport cannot tell.</param>
/// <param name="Note">Why a number is missing (in-memory transport, broker unreachable), or null.</param>
public sealed record QueueDepth(string Name, long? Messages, long? Consumers, string? Note = null);

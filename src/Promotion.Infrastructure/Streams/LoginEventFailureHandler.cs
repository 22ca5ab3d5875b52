using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Promotion.Infrastructure.Streams;

/// <summary>
/// Told by the pulling agent that a batch's delivery kept failing for the whole retry window
/// (<c>MaxEventDeliveryTime</c>); the agent then skips it (and never reports it delivered), so
/// this moves it to the dead-letter queue with the reason and the partition goes on. Implicit
/// subscriptions are never faulted.
/// </summary>
internal sealed partial class LoginEventFailureHandler(Func<LoginEventQueueReceiver?> receiver, TimeSpan retryFor, ILogger logger) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken) =>
        receiver() is { } r
            ? r.DeadLetterUndeliveredAsync(sequenceToken, $"the delivery to the login partition grain of {streamIdentity} kept failing for {retryFor} (Redis or PostgreSQL unreachable, or the batch fails to decide); see the worker logs of LoginPartitionGrain")
            : Task.CompletedTask;

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        // The agent retries the subscription; nothing was delivered, so nothing is settled.
        LogSubscriptionFailed(logger, streamIdentity.ToString());
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing the login partition grain to {Stream} failed; the pulling agent tries again")]
    private static partial void LogSubscriptionFailed(ILogger logger, string stream);
}

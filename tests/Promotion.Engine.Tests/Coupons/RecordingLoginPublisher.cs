using System.Collections.Concurrent;
using Promotion.Engine.Coupons;

namespace Promotion.Engine.Tests.Coupons;

/// <summary>A login-event publisher that keeps the batches it was given, so a test can hand them to the issuer itself.</summary>
public sealed class RecordingLoginPublisher : ILoginEventPublisher
{
    public ConcurrentQueue<IReadOnlyList<LoginEvent>> Published { get; } = new();

    public Task PublishAsync(IReadOnlyList<LoginEvent> events, CancellationToken cancellationToken)
    {
        Published.Enqueue([.. events]);
        return Task.CompletedTask;
    }
}

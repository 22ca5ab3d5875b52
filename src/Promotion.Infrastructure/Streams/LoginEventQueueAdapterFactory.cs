using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Streams;

/// <summary>
/// Builds the login-event stream's adapter for Orleans persistent streams: the partition queue
/// mapper, a simple queue cache (it reports a message delivered only once every cursor is past
/// it, and never one whose delivery failed), the adapter and a dead-lettering failure handler per
/// queue. The transport (RabbitMQ or Service Bus) is the registered <see cref="ILoginEventTransport"/>.
/// </summary>
internal sealed partial class LoginEventQueueAdapterFactory : IQueueAdapterFactory
{
    private readonly LoginEventQueueAdapter _adapter;
    private readonly LoginPartitionQueueMapper _mapper;
    private readonly SimpleQueueAdapterCache _cache;
    private readonly ILoginEventTransport _transport;
    private readonly TimeSpan _retryFor;
    private readonly ILoggerFactory _loggers;

    public LoginEventQueueAdapterFactory(string name, ILoginEventTransport transport, IOptions<LoginEventOptions> options, ILoggerFactory loggers)
    {
        _transport = transport;
        _loggers = loggers;
        _retryFor = options.Value.RetryFor;
        _mapper = new LoginPartitionQueueMapper(name, options.Value.Partitions);
        _cache = new SimpleQueueAdapterCache(new SimpleQueueCacheOptions(), name, loggers);
        _adapter = new LoginEventQueueAdapter(name, transport, _mapper, loggers);
    }

    /// <summary>The factory Orleans calls for the provider <paramref name="name"/>.</summary>
    public static IQueueAdapterFactory Create(IServiceProvider services, string name) =>
        new LoginEventQueueAdapterFactory(
            name,
            services.GetRequiredService<ILoginEventTransport>(),
            services.GetRequiredService<IOptions<LoginEventOptions>>(),
            services.GetRequiredService<ILoggerFactory>());

    public async Task<IQueueAdapter> CreateAdapter()
    {
        // The queues exist before the first publish or read; declaring is idempotent. A broker that
        // is away does not stop the silo: /health says so, and the first publish or read declares.
        try
        {
            await _transport.DeclareAsync(_mapper.Partitions, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogDeclareFailed(_loggers.CreateLogger<LoginEventQueueAdapterFactory>(), _transport.Kind, ex);
        }

        return _adapter;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Broker} does not answer at start; the login-event queues are declared once it does")]
    private static partial void LogDeclareFailed(ILogger logger, string broker, Exception exception);

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new LoginEventFailureHandler(() => _adapter.ReceiverOf(queueId), _retryFor, _loggers.CreateLogger<LoginEventFailureHandler>()));
}

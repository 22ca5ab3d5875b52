using Promotion.Engine.Stats;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Promotion.Infrastructure.Messaging;

/// <summary>
/// Queue depths from RabbitMQ by passive queue declares (the broker answers with the ready
/// message and consumer counts without creating anything) on one long-lived connection of its
/// own, reopened after a failure. Lists every routed job queue and, when it exists, its
/// <c>_error</c> queue (messages that failed all retries).
/// </summary>
public sealed class RabbitMqQueueDepths : IQueueDepths, IAsyncDisposable
{
    private const int NotFound = 404;
    private readonly JobRoutes _routes;
    private readonly ConnectionFactory _factory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    /// <summary>Creates the reader for the broker at <paramref name="rabbitMqConnectionString"/>.</summary>
    public RabbitMqQueueDepths(JobRoutes routes, string rabbitMqConnectionString)
    {
        _routes = routes;
        var address = RabbitMqAddress.Parse(rabbitMqConnectionString);
        _factory = new ConnectionFactory
        {
            HostName = address.Host,
            Port = address.Port,
            VirtualHost = address.VirtualHost,
            UserName = address.Username,
            Password = address.Password,
            ClientProvidedName = "promotion-queue-depths",
            RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
        };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueDepth>> ReadAsync(CancellationToken cancellationToken)
    {
        var queues = _routes.All.SelectMany(r => r.Queues).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            IConnection connection;
            try
            {
                connection = _connection is { IsOpen: true } open ? open : await ReconnectAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException or TimeoutException)
            {
                return [.. queues.Select(q => new QueueDepth(q, null, null, "broker unreachable: " + ex.Message))];
            }

            var depths = new List<QueueDepth>(queues.Count * 2);
            foreach (var queue in queues)
            {
                depths.Add(await DeclarePassiveAsync(connection, queue, cancellationToken) ?? new QueueDepth(queue, 0, 0, "not declared yet"));
                if (await DeclarePassiveAsync(connection, queue + "_error", cancellationToken) is { } errors)
                {
                    depths.Add(errors with { Note = "failed all retries" });
                }
            }

            return depths;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }

    // A passive declare of a missing queue closes its channel (404), so each queue gets its own.
    private static async Task<QueueDepth?> DeclarePassiveAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            await channel.CloseAsync(cancellationToken);
            return new QueueDepth(queue, ok.MessageCount, ok.ConsumerCount);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == NotFound)
        {
            return null;
        }
    }

    private async Task<IConnection> ReconnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }

        _connection = await _factory.CreateConnectionAsync(cancellationToken);
        return _connection;
    }
}

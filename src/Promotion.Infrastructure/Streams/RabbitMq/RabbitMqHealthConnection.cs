using RabbitMQ.Client;

namespace Promotion.Infrastructure.Streams.RabbitMq;

/// <summary>
/// The one connection the <c>rabbitmq</c> health check probes: opened on the first check, kept
/// (the client recovers it after a broker restart) and replaced when it was closed for good, so a
/// check never opens a connection per request. A broker that does not answer fails the check.
/// </summary>
internal sealed class RabbitMqHealthConnection(string connectionString) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public async Task<IConnection> GetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_connection is { IsOpen: true } open)
            {
                return open;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            var factory = new ConnectionFactory
            {
                Uri = new Uri(connectionString),
                ClientProvidedName = "promotion-health",
                RequestedConnectionTimeout = TimeSpan.FromSeconds(3),
                AutomaticRecoveryEnabled = true,
            };
            _connection = await factory.CreateConnectionAsync();
            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }
}

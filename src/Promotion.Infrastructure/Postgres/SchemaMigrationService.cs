using Microsoft.Extensions.Hosting;

namespace Promotion.Infrastructure.Postgres;

/// <summary>Runs the schema migrations when the host starts, before the services registered after it.</summary>
internal sealed class SchemaMigrationService(SchemaMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

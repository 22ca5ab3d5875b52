using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Stats;
using Promotion.Infrastructure.Postgres;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Stats;

public sealed class PostgresCampaignStatsTests : CampaignStatsContract, IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();
    private NpgsqlDataSource _source = null!;
    private PostgresCampaignStore _store = null!;
    private PostgresCampaignStats _stats = null!;

    protected override ICampaignStore Campaigns => _store;

    protected override IShardStore Shards => _store;

    protected override ICampaignStatsReader Stats => _stats;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _source = _db.CreateDataSource();
        await new SchemaMigrator(_source, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default);
        _store = new PostgresCampaignStore(_source);
        _stats = new PostgresCampaignStats(_source);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }
}

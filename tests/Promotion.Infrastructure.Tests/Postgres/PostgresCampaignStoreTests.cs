using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Campaigns;
using Promotion.Infrastructure.Postgres;
using Promotion.Infrastructure.Tests.Contracts;
using Promotion.TestSupport;

namespace Promotion.Infrastructure.Tests.Postgres;

public sealed class PostgresCampaignStoreTests : CampaignStoreContract, IAsyncLifetime
{
    private readonly TemporaryDatabase _db = new();
    private NpgsqlDataSource _source = null!;
    private PostgresCampaignStore _store = null!;

    protected override ICampaignStore Campaigns => _store;

    protected override IShardStore Shards => _store;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _source = _db.CreateDataSource();
        await new SchemaMigrator(_source, NullLogger<SchemaMigrator>.Instance).MigrateAsync(default);
        _store = new PostgresCampaignStore(_source);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Enums_are_stored_as_lower_case_names()
    {
        var id = (await _store.CreateAsync(Draft("stored", kind: CampaignKind.HotGoods), T0, default)).Id;
        await _store.TransitionAsync(id, CampaignTrigger.StartPlanning, T0, default);
        await _store.SaveShardsAsync(id, [new ShardRange(0, 1, 5)], 4, default);

        await using var cmd = _source.CreateCommand(
            "SELECT c.kind, c.status, c.priority, c.channels, s.status FROM campaigns c JOIN campaign_shards s ON s.campaign_id = c.id WHERE c.id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("hotgoods", "planning", "high", "pending"), (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(4)));
        Assert.Equal(["sms", "app"], reader.GetFieldValue<string[]>(3));
    }
}

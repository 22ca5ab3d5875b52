using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Promotion.Engine.Campaigns;
using Promotion.Engine.Members;
using Promotion.Infrastructure.Postgres;

// Extension methods live in the DI namespace so composition code finds them without extra usings.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PostgreSQL adapters.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers the data source for <paramref name="connectionString"/>, the schema migrations
    /// (run at start), the member directory, the campaign and shard store, the goods catalog and hot-goods schedules, and the <c>postgres</c> health check.
    /// </summary>
    public static IServiceCollection AddPromotionPostgres(this IServiceCollection services, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddSingleton<SchemaMigrator>();
        // Inserted first so the schema exists before any other hosted service starts.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, SchemaMigrationService>());
        services.AddSingleton<PostgresMemberDirectory>();
        services.AddSingleton<IMemberDirectory>(sp => sp.GetRequiredService<PostgresMemberDirectory>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PostgresCampaignStore>();
        services.AddSingleton<ICampaignStore>(sp => sp.GetRequiredService<PostgresCampaignStore>());
        services.AddSingleton<IShardStore>(sp => sp.GetRequiredService<PostgresCampaignStore>());
        services.AddSingleton<PostgresGoodsCatalog>();
        services.AddSingleton<Promotion.Engine.HotGoods.IGoodsCatalog>(sp => sp.GetRequiredService<PostgresGoodsCatalog>());
        services.AddSingleton<Promotion.Engine.HotGoods.IHotGoodsSchedules, PostgresHotGoodsSchedules>();
        services.AddSingleton<Promotion.Engine.Stats.ICampaignStatsReader, PostgresCampaignStats>();
        services.AddSingleton<Promotion.Engine.Coupons.ICouponStore, PostgresCouponStore>();
        // AspNetCore.HealthChecks.NpgSql: a trivial query on the shared data source.
        services.AddHealthChecks().AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "postgres", tags: ["ready"]);
        return services;
    }
}

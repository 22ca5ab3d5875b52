using Microsoft.Extensions.Diagnostics.HealthChecks;
using Promotion.Engine.Members;
using Promotion.Engine.Nodes;
using Promotion.Infrastructure.InMemory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the in-process stores of the embedded profile.</summary>
public static class InMemoryServiceCollectionExtensions
{
    /// <summary>Registers the in-memory member directory and node registry.</summary>
    public static IServiceCollection AddPromotionInMemoryStores(this IServiceCollection services)
    {
        services.AddSingleton<InMemoryMemberDirectory>();
        services.AddSingleton<IMemberDirectory>(sp => sp.GetRequiredService<InMemoryMemberDirectory>());
        services.AddSingleton<INodeRegistry, InMemoryNodeRegistry>();
        services.AddHealthChecks().AddCheck("stores", () => HealthCheckResult.Healthy("in-process stores (embedded profile)"), tags: ["ready"]);
        return services;
    }
}

using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Promotion.Engine.Cluster;

namespace Orleans.Hosting;

/// <summary>Gives a silo its Promotion roles.</summary>
public static class SiloRolesBuilderExtensions
{
    /// <summary>
    /// Publishes <paramref name="roles"/> as silo metadata (<see cref="SiloRoles.MetadataKey"/>) and
    /// leaves out every grain class whose <see cref="SiloRoleAttribute"/> names a role not in
    /// <paramref name="roles"/>: a silo hosts only grain types it has, so Orleans places work grains
    /// on worker silos only and schedules on scheduler silos only.
    /// </summary>
    public static ISiloBuilder UsePromotionRoles(this ISiloBuilder silo, IReadOnlyList<string> roles)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(roles);
        silo.UseSiloMetadata(new Dictionary<string, string> { [SiloRoles.MetadataKey] = string.Join(',', roles) });
        silo.Services.PostConfigure<GrainTypeOptions>(o => o.Classes.RemoveWhere(c => !HostedBy(c, roles)));
        return silo;
    }

    private static bool HostedBy(Type grainClass, IReadOnlyList<string> roles) =>
        grainClass.GetCustomAttribute<SiloRoleAttribute>() is not { } required || roles.Contains(required.Role, StringComparer.Ordinal);
}

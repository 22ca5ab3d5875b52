using System.Reflection;
using Promotion.Engine.Nodes;
using Promotion.Engine.Stats;
using Promotion.Host.Composition;
using Promotion.Host.Diagnostics;

namespace Promotion.Host.Dashboard;

/// <summary><c>host</c>: which host answered (node, roles, profile, version, uptime), whether it exports telemetry and whether operators sign in.</summary>
internal sealed class HostStatsSection(PromotionSettings settings, NodeIdentity identity, TelemetryOptions telemetry, TimeProvider time) : IStatsSection
{
    private static readonly string Version =
        typeof(HostStatsSection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    // The process's start, not this section's: it is created on the first stats read.
    private static readonly DateTimeOffset StartedAt = ProcessStart();

    public string Name => "host";


    public Task<object?> ReadAsync(CancellationToken cancellationToken) => Task.FromResult<object?>(new
    {
        identity.NodeId,
        identity.Roles,
        profile = settings.Profile.ToString(),
        version = Version,
        startedAt = StartedAt,
        uptimeSeconds = Math.Round(Math.Max(0, (time.GetUtcNow() - StartedAt).TotalSeconds)),
        telemetry = new { otlp = telemetry.Enabled, meters = TelemetryServiceCollectionExtensions.Meters, sources = TelemetryServiceCollectionExtensions.Sources },
        // Operators sign in (and can sign out) only where keys are configured.
        signIn = settings.ApiKeys.OperatorApiKeys.Count > 0,
    });

    private static DateTimeOffset ProcessStart()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
    }
}

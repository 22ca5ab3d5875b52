namespace Promotion.Acceptance.Tests;

/// <summary>
/// How the classes share the two-core machine. Classes in <see cref="Alone"/> run one after another
/// once the rest is done: they restart servers or judge timing (limits, priorities, cadence). The
/// rest, two at a time before them: they mostly wait (a three-minute outage, failure detection) or
/// only count (the benchmark's tiny run).
/// </summary>
internal static class Collections
{
    public const string Alone = "alone";
    public const string BesideOthers = "beside others";
}

[CollectionDefinition(Collections.Alone, DisableParallelization = true)]
public sealed class AloneCollection;

[CollectionDefinition(Collections.BesideOthers)]
public sealed class BesideOthersCollection;

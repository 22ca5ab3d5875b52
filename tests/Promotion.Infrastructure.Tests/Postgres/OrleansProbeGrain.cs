using Orleans.Placement;
using Orleans.Runtime;

namespace Promotion.Infrastructure.Tests.Postgres;

/// <summary>
/// A grain for <see cref="OrleansSchemaTests"/> that drives each AdoNet provider through its stored
/// queries: state in two storages (one deletes its row on clear, one keeps the row), and reminders.
/// </summary>
[Alias("promotion-tests.orleans-probe")]
public interface IOrleansProbeGrain : IGrainWithStringKey
{
    [Alias("write")]
    Task<ProbeReading> WriteAsync(string value);

    [Alias("read")]
    Task<ProbeReading> ReadAsync();

    [Alias("clear")]
    Task ClearAsync();

    [Alias("register-reminder")]
    Task RegisterReminderAsync(string name);

    [Alias("list-reminders")]
    Task<IReadOnlyList<string>> ListRemindersAsync();

    [Alias("unregister-reminder")]
    Task UnregisterReminderAsync(string name);
}

/// <summary>What an activation holds, and where it runs.</summary>
[GenerateSerializer, Immutable, Alias("promotion-tests.probe-reading")]
public sealed class ProbeReading
{
    [Id(0)] public string? Value { get; init; }

    [Id(1)] public string? KeptValue { get; init; }

    [Id(2)] public bool RecordExists { get; init; }

    /// <summary>The silo address (parsable form) of the activation that answered.</summary>
    [Id(3)] public required string Silo { get; init; }
}

[GenerateSerializer, Alias("promotion-tests.probe-state")]
public sealed class ProbeState
{
    [Id(0)] public string? Value { get; set; }
}

// Local placement: a call made through a silo's own grain factory activates the grain on that
// silo, so the test knows which silo wrote the state.
[PreferLocalPlacement]
public sealed class OrleansProbeGrain(
    [PersistentState(OrleansProbeGrain.DeletingState, OrleansProbeGrain.DeletingStore)] IPersistentState<ProbeState> deleting,
    [PersistentState(OrleansProbeGrain.KeepingState, OrleansProbeGrain.KeepingStore)] IPersistentState<ProbeState> keeping,
    ILocalSiloDetails silo) : Grain, IOrleansProbeGrain, IRemindable
{
    /// <summary>Storage with DeleteStateOnClear = true (runs DeleteStorageKey on clear).</summary>
    public const string DeletingStore = "probe-deleting";

    /// <summary>Storage with DeleteStateOnClear = false (runs ClearStorageKey on clear).</summary>
    public const string KeepingStore = "probe-keeping";

    public const string DeletingState = "deleting";

    public const string KeepingState = "keeping";

    public async Task<ProbeReading> WriteAsync(string value)
    {
        deleting.State.Value = value;
        keeping.State.Value = value;
        await deleting.WriteStateAsync();
        await keeping.WriteStateAsync();
        return Reading();
    }

    public Task<ProbeReading> ReadAsync() => Task.FromResult(Reading());

    public async Task ClearAsync()
    {
        await deleting.ClearStateAsync();
        await keeping.ClearStateAsync();
    }

    public Task RegisterReminderAsync(string name) =>
        this.RegisterOrUpdateReminder(name, dueTime: TimeSpan.FromHours(1), period: TimeSpan.FromHours(1));

    public async Task<IReadOnlyList<string>> ListRemindersAsync() =>
        [.. (await this.GetReminders()).Select(r => r.ReminderName).Order(StringComparer.Ordinal)];

    public async Task UnregisterReminderAsync(string name)
    {
        var reminder = await this.GetReminder(name) ?? throw new InvalidOperationException($"no reminder {name}");
        await this.UnregisterReminder(reminder);
    }

    // The reminders are due in an hour; the test is over long before one fires.
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    private ProbeReading Reading() => new()
    {
        Value = deleting.State.Value,
        KeptValue = keeping.State.Value,
        RecordExists = deleting.RecordExists && keeping.RecordExists,
        Silo = silo.SiloAddress.ToParsableString(),
    };
}

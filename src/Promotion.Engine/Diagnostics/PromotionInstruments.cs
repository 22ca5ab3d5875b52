using System.Diagnostics.Metrics;

namespace Promotion.Engine.Diagnostics;

/// <summary>
/// Every metric the engine records, in one place (meter <c>Promotion</c>). Names and units are
/// listed in the README.
/// </summary>
public sealed class PromotionInstruments : IDisposable
{
    /// <summary>The meter name to export.</summary>
    public const string MeterName = "Promotion";

    private readonly Meter _meter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public PromotionInstruments(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        MembersImported = _meter.CreateCounter<long>("promotion.members.imported", "{member}", "Members bulk-loaded into the directory");
    }

    /// <summary>Members bulk-loaded into the directory.</summary>
    public Counter<long> MembersImported { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}

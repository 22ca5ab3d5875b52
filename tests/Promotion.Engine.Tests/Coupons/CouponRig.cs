using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Promotion.Domain.Coupons;
using Promotion.Domain.Members;
using Promotion.Engine.Coupons;
using Promotion.Engine.Diagnostics;
using Promotion.Engine.Nodes;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Engine.Tests.Coupons;

/// <summary>The coupon issuer on the in-memory adapters, with a recording login-event publisher.</summary>
public sealed class CouponRig : IAsyncDisposable
{
    public static readonly string[] Segments = ["gamers", "parents", "vip"];

    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public CouponRig(int members = 1_000, Func<InMemoryCouponLedger, ICouponLedger>? wrapLedger = null)
    {
        Ledger = new InMemoryCouponLedger(TimeProvider.System);
        Members.ImportAsync(SyntheticMembers.Range(1, members, Segments), null, default).GetAwaiter().GetResult();
        var instruments = new PromotionInstruments(_metrics.GetRequiredService<IMeterFactory>());
        var options = Options.Create(new CouponOptions { RestoreLease = TimeSpan.FromSeconds(30) });
        var used = wrapLedger?.Invoke(Ledger) ?? Ledger;
        Restorer = new CouponLedgerRestorer(used, Store, new NodeIdentity("node-a", ["worker"]), options, instruments, TimeProvider.System, NullLogger<CouponLedgerRestorer>.Instance);
        Writer = new IssuedCouponWriter(Store, options, instruments, NullLogger<IssuedCouponWriter>.Instance);
        Writer.StartAsync(default).GetAwaiter().GetResult();
        Issuer = new CouponIssuer(Members, used, Restorer, Writer, instruments, TimeProvider.System, NullLogger<CouponIssuer>.Instance);
        Commands = new CouponCommands(Store, used, Members, Publisher, TimeProvider.System, NullLogger<CouponCommands>.Instance);
        Mirror = new CouponCampaignMirror(Store, used, Restorer, options, TimeProvider.System, NullLogger<CouponCampaignMirror>.Instance);
    }

    public static DateTimeOffset Now => DateTimeOffset.UtcNow;

    public InMemoryMemberDirectory Members { get; } = new();

    public InMemoryCouponStore Store { get; } = new();

    public InMemoryCouponLedger Ledger { get; }

    public RecordingLoginPublisher Publisher { get; } = new();

    internal CouponLedgerRestorer Restorer { get; }

    internal IssuedCouponWriter Writer { get; }

    internal CouponIssuer Issuer { get; }

    internal CouponCommands Commands { get; }

    internal CouponCampaignMirror Mirror { get; }

    public static LoginEvent[] Batch(params long[] members) => [.. members.Select(m => new LoginEvent(m, Now))];

    public static bool IsIn(long member, string segment) => SyntheticMembers.Create(member, Segments).IsIn(segment);

    public Task<CouponCampaign> CreateAsync(long? stock = null, string? segment = null, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        Commands.CreateAsync(new CouponCampaignDraft("c", segment, from ?? Now.AddHours(-1), to ?? Now.AddHours(1), stock, "5 off", 5m, null, null), default);

    public Task HandleAsync(IReadOnlyList<LoginEvent> batch) => Issuer.IssueAsync(batch, default);

    public async Task<List<long>> HoldersAsync(Guid campaignId)
    {
        var members = new List<long>();
        await foreach (var m in Store.ReadIssuedMembersAsync(campaignId, default))
        {
            members.Add(m);
        }

        members.Sort();
        return members;
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.StopAsync(default);
        Writer.Dispose();
        await _metrics.DisposeAsync();
    }
}

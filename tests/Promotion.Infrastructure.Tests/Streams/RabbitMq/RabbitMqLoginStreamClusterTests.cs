using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Promotion.Domain.Coupons;
using Promotion.Domain.Members;
using Promotion.Engine.Coupons;
using Promotion.Engine.Members;
using Promotion.Engine.Nodes;
using Promotion.Infrastructure.InMemory;
using Promotion.Infrastructure.Streams;
using Promotion.Infrastructure.Streams.RabbitMq;
using Promotion.TestSupport;
using RabbitMQ.Client;

namespace Promotion.Infrastructure.Tests.Streams.RabbitMq;

/// <summary>
/// The login-event stream on Orleans persistent streams over a real RabbitMQ (throw-away vhost),
/// on the in-process cluster: Orleans' pulling agent, the project's adapter and the partition grains.
/// </summary>
public sealed class RabbitMqLoginStreamClusterTests : IAsyncLifetime
{
    private const long Poison = 666;
    private readonly TemporaryVirtualHost _vhost = new();

    public Task InitializeAsync() => _vhost.InitializeAsync();

    public Task DisposeAsync() => _vhost.DisposeAsync();

    [Fact]
    public async Task A_batch_that_keeps_failing_goes_to_the_dead_letter_queue_after_the_retry_window_and_its_partition_goes_on()
    {
        var options = new LoginEventOptions { Partitions = 2, RetryFor = TimeSpan.FromSeconds(3), PollInterval = TimeSpan.FromMilliseconds(10) };
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["LoginEvents:Partitions"] = "2", ["LoginEvents:RetryFor"] = "00:00:03" }).Build();
        var members = new InMemoryMemberDirectory();
        await members.ImportAsync(SyntheticMembers.Range(1, 1_000, ["gamers"]), null, default);
        var store = new InMemoryCouponStore();
        var ledger = new InMemoryCouponLedger(TimeProvider.System);
        await using var transport = new RabbitMqLoginEventTransport(_vhost.ConnectionString, 8, NullLogger<RabbitMqLoginEventTransport>.Instance);
        await using var cluster = await GrainCluster.StartAsync([GrainCluster.AllRoles], setup =>
        {
            setup.Services.AddPromotionEngine(config, new NodeIdentity(setup.SiloName, setup.Roles));
            setup.Services.AddPromotionCoupons(config, worker: true);
            setup.Services.AddSingleton<IMemberDirectory>(members);
            setup.Services.AddSingleton<ICouponStore>(store);
            // The poison member fails every delivery of its batch, as a batch that cannot be decided would.
            setup.Services.AddSingleton<ICouponLedger>(new PoisonedLedger(ledger));
            setup.Services.AddSingleton<ILoginEventTransport>(transport);
        }, silo => silo.AddPromotionLoginEventStreams(options, memory: false));
        var commands = GrainCluster.ServiceOf<CouponCommands>(cluster.Silos[0]);
        var campaign = await commands.CreateAsync(new CouponCampaignDraft("c", null, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), null, "t", 1m, null, null), default);

        // Through the API's command (partitions in turn) and straight to partition 0, as an outside producer.
        await commands.AcceptLoginsAsync([new LoginEvent(1, DateTimeOffset.UtcNow), new LoginEvent(2, DateTimeOffset.UtcNow)], default);
        await PublishAsync(0, $$"""[{"memberId": {{Poison}}, "at": "{{DateTimeOffset.UtcNow:O}}"}, {"memberId": 5, "at": "{{DateTimeOffset.UtcNow:O}}"}]""");
        await PublishAsync(0, $$"""[{"memberId": 3, "at": "{{DateTimeOffset.UtcNow:O}}"}]""");
        await PublishAsync(1, $$"""[{"memberId": 4, "at": "{{DateTimeOffset.UtcNow:O}}"}]""");

        await Eventually.TrueAsync(async () => (await HoldersAsync(store, campaign.Id)).Count == 4, TimeSpan.FromSeconds(60), "members 1 to 4 to get their coupons");
        var dead = await DeadLettersAsync(1);
        var (reason, body) = Assert.Single(dead);
        Assert.Contains("kept failing for 00:00:03", reason, StringComparison.Ordinal);
        Assert.Contains($"\"memberId\": {Poison}", body, StringComparison.Ordinal);
        Assert.Equal([1L, 2L, 3L, 4L], await HoldersAsync(store, campaign.Id));
        // Everything else was acknowledged once delivered.
        await Eventually.TrueAsync(async () => await ReadyAndUnackedAsync() == 0, TimeSpan.FromSeconds(30), "both partition queues empty");
    }

    private async Task PublishAsync(int partition, string body)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_vhost.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync(LoginEventQueues.Exchange, LoginEventQueues.RoutingKey(partition), mandatory: true,
            new BasicProperties { ContentType = "application/json", Persistent = true }, Encoding.UTF8.GetBytes(body));
    }

    private async Task<long> ReadyAndUnackedAsync()
    {
        long total = 0;
        foreach (var queue in new[] { LoginEventQueues.Queue(0), LoginEventQueues.Queue(1) })
        {
            var info = await _vhost.QueueAsync(queue);
            total += info.GetProperty("messages").GetInt64();
        }

        return total;
    }

    private async Task<List<(string Reason, string Body)>> DeadLettersAsync(int expected)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_vhost.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var dead = new List<(string, string)>();
        await Eventually.TrueAsync(async () =>
        {
            while (await channel.BasicGetAsync(LoginEventQueues.DeadLetterQueue, autoAck: true) is { } m)
            {
                dead.Add((Encoding.UTF8.GetString((byte[])m.BasicProperties.Headers![LoginEventQueues.ReasonHeader]!), Encoding.UTF8.GetString(m.Body.Span)));
            }

            return dead.Count >= expected;
        }, TimeSpan.FromSeconds(60), $"{expected} dead letters");
        return dead;
    }

    private static async Task<List<long>> HoldersAsync(InMemoryCouponStore store, Guid campaignId)
    {
        var members = new List<long>();
        await foreach (var m in store.ReadIssuedMembersAsync(campaignId, default))
        {
            members.Add(m);
        }

        members.Sort();
        return members;
    }

    private sealed class PoisonedLedger(ICouponLedger inner) : ICouponLedger
    {
        public Task<IReadOnlyList<LoginDecision?>> DecideAsync(IReadOnlyList<LoginCheck> logins, DateTimeOffset now, CancellationToken cancellationToken) =>
            logins.Any(l => l.MemberId == Poison) ? throw new InvalidOperationException("this batch cannot be decided") : inner.DecideAsync(logins, now, cancellationToken);

        public Task MarkWrittenAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken) => inner.MarkWrittenAsync(coupons, cancellationToken);

        public Task RevokeAsync(IReadOnlyCollection<CouponKey> coupons, CancellationToken cancellationToken) => inner.RevokeAsync(coupons, cancellationToken);

        public Task PutCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken) => inner.PutCampaignAsync(rule, stockLeft, cancellationToken);

        public Task RemoveCampaignAsync(Guid couponCampaignId, CancellationToken cancellationToken) => inner.RemoveCampaignAsync(couponCampaignId, cancellationToken);

        public Task<IReadOnlyList<Guid>> ListCampaignIdsAsync(CancellationToken cancellationToken) => inner.ListCampaignIdsAsync(cancellationToken);

        public Task<RestoreStart> TryBeginRestoreAsync(string owner, TimeSpan lease, CancellationToken cancellationToken) => inner.TryBeginRestoreAsync(owner, lease, cancellationToken);

        public Task RestoreMembersAsync(Guid couponCampaignId, IReadOnlyCollection<long> members, CancellationToken cancellationToken) => inner.RestoreMembersAsync(couponCampaignId, members, cancellationToken);

        public Task RestoreCampaignAsync(CouponCampaignRule rule, long? stockLeft, CancellationToken cancellationToken) => inner.RestoreCampaignAsync(rule, stockLeft, cancellationToken);

        public Task EndRestoreAsync(string owner, bool completed, CancellationToken cancellationToken) => inner.EndRestoreAsync(owner, completed, cancellationToken);
    }
}

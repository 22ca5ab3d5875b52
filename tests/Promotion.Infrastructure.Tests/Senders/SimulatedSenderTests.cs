using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Promotion.Domain.Delivery;
using Promotion.Engine.Delivery;
using Promotion.Infrastructure.Senders;

namespace Promotion.Infrastructure.Tests.Senders;

public class SimulatedSenderTests
{
    private static readonly Guid Campaign = Guid.Parse("6f1d7c1e-2b1a-4a53-9d2e-1f0c3b7a9e44");

    [Fact]
    public async Task First_attempt_failure_rates_match_the_options_over_10000_keys()
    {
        var sender = Sender(transient: 0.02, permanent: 0.005);

        var results = await SendAll(sender, Keys(10_000));

        var permanent = results.Count(r => r.Status == SendStatus.PermanentFailure);
        var transient = results.Count(r => r.Status == SendStatus.TransientFailure);
        // Expected 50 and 199 with standard deviations of about 7 and 14: three deviations of room.
        Assert.InRange(permanent, 29, 71);
        Assert.InRange(transient, 157, 241);
        Assert.Equal((10_000 - permanent - transient, transient, permanent), (sender.SentCount, sender.TransientFailureCount, sender.PermanentFailureCount));
    }

    [Fact]
    public async Task Two_senders_answer_every_key_and_attempt_the_same_way()
    {
        var keys = Keys(5_000);
        var first = Sender(transient: 0.2, permanent: 0.05);
        var second = Sender(transient: 0.2, permanent: 0.05);

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var a = await SendAll(first, keys);
            var b = await SendAll(second, keys);
            Assert.Equal(a, b);
            Assert.Contains(a, r => r.Status == SendStatus.TransientFailure);
            Assert.Contains(a, r => r.Status == SendStatus.PermanentFailure);
        }
    }

    [Fact]
    public async Task A_transient_failure_is_sent_on_a_later_attempt()
    {
        var sender = Sender(transient: 0.3, permanent: 0);
        var keys = Keys(200);
        var firstResults = await SendAll(sender, keys);
        var failed = keys.Where((_, i) => firstResults[i].Status == SendStatus.TransientFailure).ToList();
        Assert.NotEmpty(failed);

        // With a 30% chance per attempt, 20 attempts leave a key failing with odds of 0.3^20.
        foreach (var key in failed)
        {
            var retries = 0;
            SendResult result;
            do
            {
                result = await sender.SendAsync(Message(key), CancellationToken.None);
            }
            while (result.Status != SendStatus.Sent && ++retries < 20);

            Assert.Equal(SendResult.Sent, result);
        }
    }

    [Fact]
    public async Task A_permanently_failing_key_fails_on_every_attempt()
    {
        var sender = Sender(transient: 0, permanent: 0.1);
        var keys = Keys(200);
        var first = await SendAll(sender, keys);
        var rejected = keys.Where((_, i) => first[i].Status == SendStatus.PermanentFailure).ToList();
        Assert.NotEmpty(rejected);

        var again = await SendAll(sender, rejected);

        Assert.All(again, r => Assert.Equal(SendStatus.PermanentFailure, r.Status));
    }

    [Fact]
    public async Task Rates_of_zero_send_everything()
    {
        var results = await SendAll(Sender(transient: 0, permanent: 0), Keys(1_000));

        Assert.All(results, r => Assert.Equal(SendResult.Sent, r));
    }

    [Fact]
    public async Task The_callers_cancellation_ends_the_simulated_latency()
    {
        var sender = new SimulatedSender(Options.Create(new SimulatedSenderOptions { Latency = TimeSpan.FromMinutes(1) }), TimeProvider.System);
        using var cts = new CancellationTokenSource();

        var send = sender.SendAsync(Message(Keys(1)[0]), cts.Token);
        Assert.False(send.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Fact]
    public void The_extension_registers_the_sender_with_options_from_configuration()
    {
        using var provider = Provider(("Latency", "00:00:00.010"), ("TransientFailureRate", "0.1"), ("PermanentFailureRate", "0"));

        var sender = provider.GetRequiredService<ISender>();

        Assert.Same(provider.GetRequiredService<SimulatedSender>(), sender);
        var options = provider.GetRequiredService<IOptions<SimulatedSenderOptions>>().Value;
        Assert.Equal((TimeSpan.FromMilliseconds(10), 0.1, 0.0), (options.Latency, options.TransientFailureRate, options.PermanentFailureRate));
    }

    [Theory]
    [InlineData("TransientFailureRate", "1.5", "Promotion:Senders:Simulated:TransientFailureRate must be between 0 and 1")]
    [InlineData("PermanentFailureRate", "-0.1", "Promotion:Senders:Simulated:PermanentFailureRate must be between 0 and 1")]
    [InlineData("Latency", "-00:00:01", "Promotion:Senders:Simulated:Latency must be between")]
    public void A_bad_value_stops_the_start_naming_the_key(string key, string value, string expected)
    {
        using var provider = Provider((key, value));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static SimulatedSender Sender(double transient, double permanent) =>
        new(Options.Create(new SimulatedSenderOptions { Latency = TimeSpan.Zero, TransientFailureRate = transient, PermanentFailureRate = permanent }), TimeProvider.System);

    private static List<string> Keys(int count) =>
        Enumerable.Range(1, count).Select(i => IdempotencyKey.For(Campaign, i, Channel.App)).ToList();

    private static OutgoingMessage Message(string key) => new(Campaign, 1, Channel.App, "contact", "t", "b", key, null);

    private static async Task<List<SendResult>> SendAll(SimulatedSender sender, List<string> keys)
    {
        var results = new List<SendResult>(keys.Count);
        foreach (var key in keys)
        {
            results.Add(await sender.SendAsync(Message(key), CancellationToken.None));
        }

        return results;
    }

    private static ServiceProvider Provider(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("Promotion:Senders:Simulated:" + s.Key, s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddPromotionSimulatedSender(configuration.GetSection("Promotion:Senders:Simulated"));
        return services.BuildServiceProvider();
    }
}

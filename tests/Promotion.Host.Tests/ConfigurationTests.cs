using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Promotion.Host.Composition;

namespace Promotion.Host.Tests;

public class ConfigurationTests
{
    [Theory]
    [InlineData("Promotion:Profile", "Clustered", "Promotion:Profile")]
    [InlineData("Promotion:Roles", "api,cook", "Promotion:Roles")]
    [InlineData("Promotion:Senders:Webhook:Url", "not a url", "Promotion:Senders:Webhook:Url")]
    [InlineData("ConnectionStrings:RabbitMq", "localhost:5672", "ConnectionStrings:RabbitMq")]
    [InlineData("Promotion:Cluster:ClusterId", " ", "Promotion:Cluster:ClusterId")]
    [InlineData("Promotion:Cluster:SiloPort", "70000", "Promotion:Cluster:SiloPort")]
    [InlineData("Promotion:Cluster:GatewayPort", "-1", "Promotion:Cluster:GatewayPort")]
    [InlineData("Promotion:Cluster:AdvertisedAddress", "silo.example", "Promotion:Cluster:AdvertisedAddress")]
    [InlineData("Promotion:Cluster:ProbeTimeout", "00:00:00.010", "Promotion:Cluster:ProbeTimeout")]
    [InlineData("Promotion:Cluster:MissedProbesLimit", "0", "Promotion:Cluster:MissedProbesLimit")]
    [InlineData("Promotion:Cluster:SiloPort", "eleven", "Promotion:Cluster")]
    public void A_wrong_value_stops_the_host_naming_the_key(string key, string value, string named)
    {
        // The same path Program takes: it prints these failures and exits with code 2.
        var ex = Assert.Throws<OptionsValidationException>(() => PromotionWebHost.Build([$"--{key}={value}"]));
        Assert.Contains(ex.Failures, f => f.StartsWith(named, StringComparison.Ordinal));
    }

    [Fact]
    public void Distributed_profile_without_connection_strings_names_each_missing_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Promotion:Profile"] = "distributed" }).Build();
        var ex = Assert.Throws<OptionsValidationException>(() => PromotionSettings.Read(config));
        Assert.Contains(ex.Failures, f => f.StartsWith("ConnectionStrings:Postgres", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("ConnectionStrings:Redis", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("ConnectionStrings:RabbitMq", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_are_the_embedded_profile_with_every_role()
    {
        var settings = PromotionSettings.Read(new ConfigurationBuilder().Build());
        Assert.Equal(HostProfile.Embedded, settings.Profile);
        Assert.Equal(["api", "worker", "scheduler"], settings.RoleNames);
    }

    [Fact]
    public void The_cluster_needs_no_settings_and_advertises_loopback_when_the_host_listens_on_loopback()
    {
        var cluster = PromotionSettings.Read(new ConfigurationBuilder().Build()).Cluster;
        Assert.Equal("promotion", cluster.ClusterId);
        Assert.Equal("promotion", cluster.ServiceId);
        Assert.Equal("127.0.0.1", cluster.AdvertisedAddress);
        Assert.Equal(0, cluster.SiloPort);

        var beyond = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Urls"] = "http://0.0.0.0:5080",
            ["Promotion:Security:OperatorApiKeys:0"] = "operator-key-0123456789abcdef",
        }).Build();
        Assert.NotEqual("127.0.0.1", PromotionSettings.Read(beyond).Cluster.AdvertisedAddress);
    }

    [Fact]
    public void Roles_are_a_comma_list()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Promotion:Roles"] = " worker , Scheduler" }).Build();
        Assert.Equal(["worker", "scheduler"], PromotionSettings.Read(config).RoleNames);
    }

    [Fact]
    public void A_distributed_worker_needs_a_webhook_url_unless_simulation_is_asked_for()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Promotion:Profile"] = "Distributed",
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1",
            ["ConnectionStrings:Redis"] = "127.0.0.1",
            ["ConnectionStrings:RabbitMq"] = "amqp://u:p@127.0.0.1/",
            ["Promotion:Security:OperatorApiKeys:0"] = "operator-key-0123456789abcdef",
        };
        var ex = Assert.Throws<OptionsValidationException>(() => PromotionSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        Assert.Contains(ex.Failures, f => f.StartsWith("Promotion:Senders:Webhook:Url", StringComparison.Ordinal));

        settings["Promotion:Roles"] = "api";
        Assert.Equal(SenderKind.Simulated, PromotionSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).Sender);
        settings["Promotion:Roles"] = "worker";
        settings["Promotion:Senders:Webhook:Url"] = "http://127.0.0.1:9000/hook";
        Assert.Equal(SenderKind.Webhook, PromotionSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).Sender);
    }
}

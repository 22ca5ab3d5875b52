using Microsoft.Extensions.Options;

namespace Promotion.Host.Composition;

/// <summary>
/// The host's top-level settings, read and validated before anything is composed, because the
/// profile decides which adapters exist. A wrong value stops the host with a message naming
/// the configuration key.
/// </summary>
public sealed record PromotionSettings(
    HostProfile Profile,
    HostRoles Roles,
    string? PostgresConnectionString,
    string? RedisConnectionString,
    string? RabbitMqConnectionString,
    SenderKind Sender = SenderKind.Simulated)
{
    /// <summary>The Azure Service Bus connection string (<c>ConnectionStrings:ServiceBus</c>), used when the login-event transport is ServiceBus.</summary>
    public string? ServiceBusConnectionString { get; init; }

    /// <summary>How login events travel (<c>Promotion:LoginEvents</c>).</summary>
    public Promotion.Engine.Coupons.LoginEventOptions LoginEvents { get; init; } = new();

    /// <summary>The API keys (secrets: never log this record whole).</summary>
    public Security.SecurityOptions ApiKeys { get; init; } = new();

    /// <summary>The Orleans cluster this host's silo joins.</summary>
    public Cluster.ClusterSettings Cluster { get; init; } = new();

    /// <summary>The role names as the engine reports them (api, worker, scheduler).</summary>
    public IReadOnlyList<string> RoleNames =>
        [.. new[] { (HostRoles.Api, "api"), (HostRoles.Worker, "worker"), (HostRoles.Scheduler, "scheduler") }
            .Where(r => Roles.HasFlag(r.Item1)).Select(r => r.Item2)];

    /// <summary>Reads and validates the settings; throws <see cref="OptionsValidationException"/> listing every bad key.</summary>
    public static PromotionSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();

        var profileText = configuration["Promotion:Profile"];
        var profile = HostProfile.Embedded;
        if (!string.IsNullOrWhiteSpace(profileText) && !Enum.TryParse(profileText.Trim(), ignoreCase: true, out profile))
        {
            errors.Add($"Promotion:Profile: '{profileText}' is not a profile; use Embedded or Distributed");
        }

        var roles = ParseRoles(configuration["Promotion:Roles"], errors);
        var postgres = NullIfBlank(configuration.GetConnectionString("Postgres"));
        var redis = NullIfBlank(configuration.GetConnectionString("Redis"));
        var rabbit = NullIfBlank(configuration.GetConnectionString("RabbitMq"));
        var serviceBus = NullIfBlank(configuration.GetConnectionString("ServiceBus"));
        var transportText = configuration["Promotion:LoginEvents:Transport"];
        var transport = Promotion.Infrastructure.Streams.LoginEventTransportKind.RabbitMq;
        if (!string.IsNullOrWhiteSpace(transportText) && !Enum.TryParse(transportText.Trim(), ignoreCase: true, out transport))
        {
            errors.Add($"Promotion:LoginEvents:Transport: '{transportText}' is not a transport; use RabbitMq or ServiceBus");
        }

        if (profile == HostProfile.Distributed)
        {
            Require(postgres, "ConnectionStrings:Postgres", errors);
            Require(redis, "ConnectionStrings:Redis", errors);
            Require(transport == Promotion.Infrastructure.Streams.LoginEventTransportKind.ServiceBus ? serviceBus : rabbit,
                transport == Promotion.Infrastructure.Streams.LoginEventTransportKind.ServiceBus ? "ConnectionStrings:ServiceBus" : "ConnectionStrings:RabbitMq", errors);
        }

        var loginEvents = new Promotion.Engine.Coupons.LoginEventOptions();
        try
        {
            configuration.GetSection("Promotion:LoginEvents").Bind(loginEvents);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add("Promotion:LoginEvents: " + ex.Message);
        }

        if (loginEvents.Partitions is < 1 or > 256)
        {
            errors.Add("Promotion:LoginEvents:Partitions must be between 1 and 256");
        }

        if (rabbit is not null && !(Uri.TryCreate(rabbit, UriKind.Absolute, out var amqp) && amqp.Scheme is "amqp" or "rabbitmq"))
        {
            errors.Add("ConnectionStrings:RabbitMq: must look like amqp://user:password@127.0.0.1:5672/vhost");
        }

        if (postgres is not null)
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(postgres);
            }
            catch (ArgumentException ex)
            {
                errors.Add("ConnectionStrings:Postgres: not a valid connection string (" + ex.Message + ")");
            }
        }

        var webhook = NullIfBlank(configuration["Promotion:Senders:Webhook:Url"]);
        if (webhook is not null && !(Uri.TryCreate(webhook, UriKind.Absolute, out var hook) && hook.Scheme is "http" or "https"))
        {
            errors.Add($"Promotion:Senders:Webhook:Url: '{webhook}' is not an absolute http(s) URL");
        }

        // A distributed worker needs a real sender; simulating there must be asked for explicitly.
        var simulate = bool.TryParse(configuration["Promotion:Senders:Simulated:Enabled"], out var s) ? s : (bool?)null;
        var sender = webhook is not null && simulate != true ? SenderKind.Webhook : SenderKind.Simulated;
        if (profile == HostProfile.Distributed && roles.HasFlag(HostRoles.Worker) && webhook is null && simulate != true)
        {
            errors.Add("Promotion:Senders:Webhook:Url: required on worker hosts of the Distributed profile (or set Promotion:Senders:Simulated:Enabled=true to simulate sends)");
        }

        var apiKeys = Security.ApiKeySecurity.ReadSecurity(configuration, profile, errors);
        var cluster = global::Promotion.Host.Cluster.ClusterSettings.Read(configuration, Security.ApiKeySecurity.ListensOnLoopbackOnly(configuration["Urls"]), errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException("Promotion", typeof(PromotionSettings), errors);
        }

        return new PromotionSettings(profile, roles, postgres, redis, rabbit, sender)
        {
            ApiKeys = apiKeys,
            Cluster = cluster,
            ServiceBusConnectionString = serviceBus,
            LoginEvents = loginEvents,
        };
    }

    private static HostRoles ParseRoles(string? text, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return HostRoles.All;
        }

        var roles = HostRoles.None;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<HostRoles>(part, ignoreCase: true, out var role) && role is HostRoles.Api or HostRoles.Worker or HostRoles.Scheduler)
            {
                roles |= role;
            }
            else
            {
                errors.Add($"Promotion:Roles: '{part}' is not a role; use a comma list of api, worker, scheduler");
            }
        }

        if (roles == HostRoles.None && errors.Count == 0)
        {
            errors.Add("Promotion:Roles: name at least one of api, worker, scheduler");
        }

        return roles;
    }

    private static void Require(string? value, string key, List<string> errors)
    {
        if (value is null)
        {
            errors.Add($"{key}: required when Promotion:Profile is Distributed");
        }
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

using Promotion.Host.Composition;

namespace Promotion.Host.Security;

/// <summary>Registers and checks the API keys.</summary>
internal static partial class ApiKeySecurity
{
    private static readonly string[] LoopbackHosts = ["127.0.0.1", "localhost", "[::1]", "::1"];

    /// <summary>
    /// Reads <c>Promotion:Security</c> and adds the failures to <paramref name="errors"/>: keys are
    /// required in the Distributed profile, and in the Embedded one whenever the host listens
    /// beyond loopback; keys must be long enough and operator and producer keys distinct.
    /// </summary>
    public static SecurityOptions ReadSecurity(IConfiguration configuration, HostProfile profile, List<string> errors)
    {
        var options = new SecurityOptions();
        configuration.GetSection("Promotion:Security").Bind(options);
        var all = options.OperatorApiKeys.Concat(options.ProducerApiKeys).ToList();
        if (all.Any(k => string.IsNullOrWhiteSpace(k) || k.Length < SecurityOptions.MinKeyLength))
        {
            errors.Add($"Promotion:Security: every API key must be at least {SecurityOptions.MinKeyLength} characters");
        }

        if (options.OperatorApiKeys.Intersect(options.ProducerApiKeys, StringComparer.Ordinal).Any())
        {
            errors.Add("Promotion:Security:ProducerApiKeys: a key cannot be both an operator and a producer key");
        }

        if (options.OperatorApiKeys.Count == 0)
        {
            if (profile == HostProfile.Distributed)
            {
                errors.Add("Promotion:Security:OperatorApiKeys: required in the Distributed profile");
            }
            else if (!ListensOnLoopbackOnly(configuration["Urls"]))
            {
                errors.Add($"Promotion:Security:OperatorApiKeys: required when the host listens beyond loopback (Urls={configuration["Urls"]})");
            }
        }

        return options;
    }

    /// <summary>
    /// Puts the key check in front of everything but health, liveness and sign-in, and maps the
    /// sign-in endpoints, unless the host runs open on loopback (embedded only).
    /// </summary>
    public static WebApplication UseApiKeys(this WebApplication app, SecurityOptions options)
    {
        if (options.OperatorApiKeys.Count == 0)
        {
            LogOpen(app.Logger);
            return app;
        }

        var keys = new ApiKeyRing(options);
        var sessions = new OperatorSession(options, app.Services.GetRequiredService<TimeProvider>());
        app.UseMiddleware<ApiKeyMiddleware>(keys, sessions);
        app.MapSignInEndpoints(keys, sessions);
        return app;
    }

    /// <summary>True when every URL in <paramref name="urls"/> (the <c>Urls</c> key; its default when blank) is on loopback.</summary>
    public static bool ListensOnLoopbackOnly(string? urls) =>
        (urls ?? "http://127.0.0.1:5080").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && LoopbackHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded profile without API keys: the admin API, ingestion and both dashboards are open to callers on this machine's loopback only")]
    private static partial void LogOpen(ILogger logger);
}

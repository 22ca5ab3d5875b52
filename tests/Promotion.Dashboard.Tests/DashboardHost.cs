using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Promotion.Dashboard.Tests;

/// <summary>
/// The real host in process, on Kestrel at a free loopback port (a browser needs a socket), with
/// the embedded profile and the given configuration keys; its services stay reachable for seeding.
/// </summary>
public sealed class DashboardHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public DashboardHost(params (string Key, string? Value)[] settings)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Promotion:Profile"] = "Embedded",
            ["Promotion:Demo:Campaign"] = "false",
            ["Promotion:Stats:SampleInterval"] = "00:00:00.500",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }

        UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>The address the host listens on, e.g. http://127.0.0.1:41234.</summary>
    public string Url
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        }
    }

    public T Get<T>()
        where T : notnull
    {
        StartServer();
        return Services.GetRequiredService<T>();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Promotion.Host.Tests;

/// <summary>Starts the real host in process with the given configuration keys.</summary>
public sealed class PromotionHostFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public static PromotionHostFactory Embedded(params (string Key, string? Value)[] extra) =>
        new(new Dictionary<string, string?>(extra.Select(e => KeyValuePair.Create(e.Key, e.Value)))
        {
            ["Promotion:Profile"] = "Embedded",
            ["Promotion:Demo:Members"] = "500",
        });
}

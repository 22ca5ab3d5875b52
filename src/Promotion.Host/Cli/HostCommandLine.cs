using System.CommandLine;

namespace Promotion.Host.Cli;

/// <summary>The host's CLI verbs (<c>dotnet run --project src/Promotion.Host -- VERB ...</c>).</summary>
internal static class HostCommandLine
{
    private static readonly string[] Verbs = ["seed-members", "seed-goods", "--help", "-h", "-?"];

    /// <summary>True when <paramref name="firstArg"/> names a verb rather than host configuration.</summary>
    public static bool IsVerb(string firstArg) => Verbs.Contains(firstArg, StringComparer.Ordinal);

    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Promotion engine host. Without a verb it runs the engine (see README.md).")
        {
            SeedMembersVerb.Create(),
            SeedGoodsVerb.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }

    /// <summary>Configuration for verbs: appsettings.json beside the program, then environment variables.</summary>
    public static IConfiguration LoadConfiguration() =>
        new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
}

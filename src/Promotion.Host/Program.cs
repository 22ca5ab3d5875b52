using Microsoft.Extensions.Options;
using Promotion.Host;
using Promotion.Host.Cli;

// A first argument naming a CLI verb runs that verb; anything else runs the engine host.
if (args.Length > 0 && HostCommandLine.IsVerb(args[0]))
{
    return await HostCommandLine.RunAsync(args);
}

try
{
    var app = PromotionWebHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("Configuration error, the host did not start:");
    foreach (var failure in ex.Failures)
    {
        await Console.Error.WriteLineAsync("  " + failure);
    }

    return 2;
}

/// <summary>The host's entry point (public so integration tests can start it in process).</summary>
public partial class Program;

using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Promotion.Host.Cluster;

/// <summary>
/// The Orleans cluster this host's silo joins, bound from <c>Promotion:Cluster</c>. The defaults need
/// no editing: hosts on one machine that differ only in <c>Urls</c> pick free ports, publish them
/// through membership and form one cluster.
/// </summary>
public sealed class ClusterSettings
{
    /// <summary>Silos with the same cluster id (and database) form one cluster.</summary>
    public string ClusterId { get; set; } = "promotion";

    /// <summary>Stable across deployments: keys grain state and reminders.</summary>
    public string ServiceId { get; set; } = "promotion";

    /// <summary>Silo-to-silo port; 0 picks a free one at start.</summary>
    public int SiloPort { get; set; }

    /// <summary>Client gateway port; 0 picks a free one at start.</summary>
    public int GatewayPort { get; set; }

    /// <summary>
    /// The address other silos reach this one at, and the one it listens on. Blank: 127.0.0.1 when
    /// the host listens on loopback only, else the machine's first IPv4 address.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// The initial time a silo waits for a probe's answer before counting it missed; Orleans then adapts it
    /// (between half and four times this) to the answers it sees.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Missed probes after which a silo votes its peer dead.</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Reads <c>Promotion:Cluster</c>, adding a message naming the key to <paramref name="errors"/> for each bad value.</summary>
    internal static ClusterSettings Read(IConfiguration configuration, bool listensOnLoopbackOnly, List<string> errors)
    {
        var settings = new ClusterSettings();
        var section = configuration.GetSection("Promotion:Cluster");
        try
        {
            section.Bind(settings);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add("Promotion:Cluster: " + (ex.InnerException?.Message ?? ex.Message));
            return settings;
        }

        if (string.IsNullOrWhiteSpace(settings.ClusterId))
        {
            errors.Add("Promotion:Cluster:ClusterId: must not be blank");
        }

        if (string.IsNullOrWhiteSpace(settings.ServiceId))
        {
            errors.Add("Promotion:Cluster:ServiceId: must not be blank");
        }

        CheckPort(settings.SiloPort, "SiloPort", errors);
        CheckPort(settings.GatewayPort, "GatewayPort", errors);
        if (settings.SiloPort != 0 && settings.SiloPort == settings.GatewayPort)
        {
            errors.Add("Promotion:Cluster:GatewayPort: must differ from SiloPort");
        }

        if (settings.ProbeTimeout < TimeSpan.FromMilliseconds(500) || settings.ProbeTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("Promotion:Cluster:ProbeTimeout: must be between 00:00:00.5 and 00:01:00");
        }

        if (settings.MissedProbesLimit is < 1 or > 10)
        {
            errors.Add("Promotion:Cluster:MissedProbesLimit: must be between 1 and 10");
        }

        if (string.IsNullOrWhiteSpace(settings.AdvertisedAddress))
        {
            settings.AdvertisedAddress = (listensOnLoopbackOnly ? IPAddress.Loopback : MachineAddress()).ToString();
        }
        else if (!IPAddress.TryParse(settings.AdvertisedAddress, out _))
        {
            errors.Add($"Promotion:Cluster:AdvertisedAddress: '{settings.AdvertisedAddress}' is not an IP address");
        }

        return settings;
    }

    /// <summary>The advertised address, parsed.</summary>
    internal IPAddress Address => IPAddress.Parse(AdvertisedAddress!);

    /// <summary>The configured port, or a free one on <see cref="Address"/> when it is 0.</summary>
    internal int PortOrFree(int configured)
    {
        if (configured != 0)
        {
            return configured;
        }

        // Orleans refuses port 0, so the host asks the OS for a free one and hands it over; the
        // moment between releasing and Orleans binding it is too short to matter in practice.
        using var probe = new TcpListener(Address, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static void CheckPort(int port, string key, List<string> errors)
    {
        if (port is < 0 or > 65535)
        {
            errors.Add($"Promotion:Cluster:{key}: must be between 0 (a free port) and 65535");
        }
    }

    private static IPAddress MachineAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? IPAddress.Loopback;
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Promotion.Domain.Campaigns;
using Promotion.Engine.Cluster;

namespace Promotion.Engine.Stats;

/// <summary>
/// Samples, every <see cref="StatsOptions.SampleInterval"/>, how fast the cluster sends: per
/// campaign and in total, sends per second from the silos' loads (each silo counts its sender calls
/// per campaign; two consecutive readings of a silo give its rate) and members per second from
/// the checkpointed campaign counters. Keeps <see cref="StatsOptions.History"/> of points per
/// campaign for the dashboard's send-rate chart. Runs on hosts with the api role; memory is
/// bounded by <see cref="StatsOptions.MaxTrackedCampaigns"/> times the points of the history.
/// </summary>
public sealed partial class ThroughputSampler(
    ICampaignStatsReader reader,
    IClusterLoad load,
    IOptions<StatsOptions> options,
    TimeProvider time,
    ILogger<ThroughputSampler> logger) : BackgroundService
{
    // Members per second are averaged over this window: checkpoints land a page at a time.
    private static readonly TimeSpan MemberRateWindow = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, CampaignTrack> _campaigns = [];
    private readonly Dictionary<string, NodeTrack> _nodes = new(StringComparer.Ordinal);
    private readonly Queue<ThroughputPoint> _cluster = new();
    private bool _failing;

    /// <summary>Points kept per series.</summary>
    public int Capacity => (int)Math.Clamp(options.Value.History / options.Value.SampleInterval, 2, 100_000);

    /// <summary>The latest cluster-wide point, or null before the first sample.</summary>
    public ThroughputPoint? Latest
    {
        get
        {
            lock (_gate)
            {
                return _cluster.Count == 0 ? null : _cluster.Last();
            }
        }
    }

    /// <summary>The last <paramref name="max"/> cluster-wide points, oldest first.</summary>
    public IReadOnlyList<ThroughputPoint> ClusterSeries(int max)
    {
        lock (_gate)
        {
            return [.. _cluster.Skip(Math.Max(0, _cluster.Count - max))];
        }
    }

    /// <summary>A tracked campaign's rates and history, or null when it is not tracked (never seen, or ended long ago).</summary>
    public CampaignThroughput? ForCampaign(Guid campaignId)
    {
        lock (_gate)
        {
            return _campaigns.TryGetValue(campaignId, out var t) ? t.ToThroughput(campaignId, withPoints: true) : null;
        }
    }

    /// <summary>Rates of the tracked campaigns that have not ended, without their histories.</summary>
    public IReadOnlyList<CampaignThroughput> OpenCampaigns()
    {
        lock (_gate)
        {
            return [.. _campaigns.Where(c => !CampaignStateMachine.IsTerminal(c.Value.Status)).Select(c => c.Value.ToThroughput(c.Key, withPoints: false))];
        }
    }

    /// <summary>Each live node's current sends per second.</summary>
    public IReadOnlyDictionary<string, double> NodeSendRates()
    {
        lock (_gate)
        {
            return _nodes.ToDictionary(n => n.Key, n => Round(n.Value.Rates.Values.Sum()), StringComparer.Ordinal);
        }
    }

    /// <summary>Takes one sample now.</summary>
    internal async Task SampleAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var beats = await load.ReadAsync(cancellationToken);
        var progress = await reader.ReadRecentProgressAsync(now - o.History, o.MaxTrackedCampaigns, cancellationToken);
        lock (_gate)
        {
            Apply(now, beats, progress, o.History);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(stoppingToken);
                    _failing = false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Logged once per outage, not every tick: the dashboard shows stale rates meanwhile.
                    if (!_failing)
                    {
                        LogSampleFailed(logger, ex);
                    }

                    _failing = true;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // host stopping
        }
    }

    private static double Round(double value) => Math.Round(value, 1);

    private static double Rate(double amount, TimeSpan over) => over > TimeSpan.Zero ? Math.Max(0, amount) / over.TotalSeconds : 0;

    private void Apply(DateTimeOffset now, IReadOnlyList<SiloLoad> beats, IReadOnlyList<CampaignProgress> progress, TimeSpan history)
    {
        // Silos: a new reading gives the silo's rate per campaign since its previous one.
        var alive = new HashSet<string>(StringComparer.Ordinal);
        foreach (var beat in beats)
        {
            alive.Add(beat.SiloName);
            var attempts = beat.SendAttempts;
            if (!_nodes.TryGetValue(beat.SiloName, out var node))
            {
                _nodes[beat.SiloName] = new NodeTrack(beat.At, attempts);
                continue;
            }

            if (beat.At <= node.At)
            {
                continue;
            }

            var elapsed = beat.At - node.At;
            node.Rates.Clear();
            foreach (var (campaign, count) in attempts)
            {
                // A campaign missing from the previous reading was idle and forgotten: it restarted from zero.
                var before = node.Attempts.GetValueOrDefault(campaign);
                node.Rates[campaign] = Rate(count >= before ? count - before : count, elapsed);
            }

            node.At = beat.At;
            node.Attempts = attempts;
        }

        foreach (var gone in _nodes.Keys.Where(k => !alive.Contains(k)).ToList())
        {
            _nodes.Remove(gone);
        }

        var sendRates = new Dictionary<Guid, double>();
        foreach (var (campaign, rate) in _nodes.Values.SelectMany(n => n.Rates))
        {
            sendRates[campaign] = sendRates.GetValueOrDefault(campaign) + rate;
        }

        // Campaigns: members per second over a short window of checkpointed counts.
        var capacity = Capacity;
        double membersTotal = 0;
        foreach (var p in progress)
        {
            if (!_campaigns.TryGetValue(p.Id, out var track))
            {
                track = new CampaignTrack();
                _campaigns[p.Id] = track;
            }

            track.SeenAt = now;
            track.AudienceSize = p.AudienceSize;
            track.Processed = p.Processed;
            var wasEnded = CampaignStateMachine.IsTerminal(track.Status) && track.Points.Count > 0;
            track.Status = p.Status;
            if (wasEnded)
            {
                continue; // its history ends with the sample that saw it end
            }

            track.Recent.Enqueue((now, p.Processed));
            while (track.Recent.Count > 2 && track.Recent.Peek().At < now - MemberRateWindow)
            {
                track.Recent.Dequeue();
            }

            var first = track.Recent.Peek();
            track.MembersPerSecond = Round(Rate(p.Processed - first.Processed, now - first.At));
            track.SendsPerSecond = Round(sendRates.GetValueOrDefault(p.Id));
            track.Points.Enqueue(new ThroughputPoint(now, track.SendsPerSecond, track.MembersPerSecond));
            while (track.Points.Count > capacity)
            {
                track.Points.Dequeue();
            }

            if (!CampaignStateMachine.IsTerminal(p.Status))
            {
                membersTotal += track.MembersPerSecond;
            }
        }

        foreach (var stale in _campaigns.Where(c => c.Value.SeenAt < now - history).Select(c => c.Key).ToList())
        {
            _campaigns.Remove(stale);
        }

        _cluster.Enqueue(new ThroughputPoint(now, Round(sendRates.Values.Sum()), Round(membersTotal)));
        while (_cluster.Count > capacity)
        {
            _cluster.Dequeue();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sampling send rates failed; the dashboard shows the last rates until it works again")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);

    private sealed class NodeTrack(DateTimeOffset at, IReadOnlyDictionary<Guid, long> attempts)
    {
        public DateTimeOffset At { get; set; } = at;

        public IReadOnlyDictionary<Guid, long> Attempts { get; set; } = attempts;

        public Dictionary<Guid, double> Rates { get; } = [];
    }

    private sealed class CampaignTrack
    {
        public CampaignStatus Status { get; set; } = CampaignStatus.Pending;

        public DateTimeOffset SeenAt { get; set; }

        public long AudienceSize { get; set; }

        public long Processed { get; set; }

        public double SendsPerSecond { get; set; }

        public double MembersPerSecond { get; set; }

        public Queue<(DateTimeOffset At, long Processed)> Recent { get; } = new();

        public Queue<ThroughputPoint> Points { get; } = new();

        public CampaignThroughput ToThroughput(Guid id, bool withPoints)
        {
            var ended = CampaignStateMachine.IsTerminal(Status);
            var remaining = Math.Max(0, AudienceSize - Processed);
            double? eta = !ended && MembersPerSecond > 0 ? Math.Round(remaining / MembersPerSecond) : null;
            return new CampaignThroughput(
                id, Status, AudienceSize, Processed, ended ? 0 : SendsPerSecond, ended ? 0 : MembersPerSecond, eta, withPoints ? [.. Points] : []);
        }
    }
}

/// <summary>Send and member rates at one moment.</summary>
/// <param name="At">When sampled.</param>
/// <param name="SendsPerSecond">Sender calls per second (what a send limit counts).</param>
/// <param name="MembersPerSecond">Members checkpointed (sent, failed or skipped) per second.</param>
public sealed record ThroughputPoint(DateTimeOffset At, double SendsPerSecond, double MembersPerSecond);

/// <summary>A campaign's current rates, time left and rate history.</summary>
/// <param name="Id">Campaign id.</param>
/// <param name="Status">Status at the last sample.</param>
/// <param name="AudienceSize">Members targeted.</param>
/// <param name="Processed">Members handled so far.</param>
/// <param name="SendsPerSecond">Current sender calls per second, cluster-wide.</param>
/// <param name="MembersPerSecond">Current members per second.</param>
/// <param name="EtaSeconds">Seconds left at the current member rate, or null when ended or not moving.</param>
/// <param name="Points">Rate history, oldest first (empty where only current rates were asked for).</param>
public sealed record CampaignThroughput(
    Guid Id,
    CampaignStatus Status,
    long AudienceSize,
    long Processed,
    double SendsPerSecond,
    double MembersPerSecond,
    double? EtaSeconds,
    IReadOnlyList<ThroughputPoint> Points);

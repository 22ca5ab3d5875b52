namespace Promotion.Infrastructure.Quartz;

/// <summary>Quartz.NET settings, bound from <c>Promotion:Quartz</c>.</summary>
public sealed class SchedulerOptions
{
    /// <summary>Prefix of Quartz's tables (created by the scheduler when missing).</summary>
    public string TablePrefix { get; set; } = "qrtz_";

    /// <summary>How often a clustered scheduler records that it is alive.</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>How long past a missed check-in the others wait before taking over a node's triggers and recovering its firings.</summary>
    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>
    /// How late a firing may be before it counts as misfired. Kept well below the shortest schedule
    /// period: a firing late by less than this is run late and the next one computed from its
    /// scheduled time, which would replay every period missed during a short outage.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a scheduler with nothing due waits before asking the store again (it also hears of triggers scheduled in its own process at once).</summary>
    public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Firings one scheduler host runs at once.</summary>
    public int MaxConcurrentFirings { get; set; } = 4;

    /// <summary>The problems with these settings, naming the configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(TablePrefix) || !TablePrefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            errors.Add("Promotion:Quartz:TablePrefix: letters, digits and underscores only, e.g. qrtz_");
        }

        if (ClusterCheckinInterval < TimeSpan.FromMilliseconds(500) || ClusterCheckinMisfireThreshold < TimeSpan.FromMilliseconds(500))
        {
            errors.Add("Promotion:Quartz:ClusterCheckinInterval and ClusterCheckinMisfireThreshold must be at least 00:00:00.500");
        }

        if (MisfireThreshold < TimeSpan.FromSeconds(1))
        {
            errors.Add("Promotion:Quartz:MisfireThreshold must be at least 00:00:01");
        }

        if (IdleWaitTime < TimeSpan.FromSeconds(1))
        {
            errors.Add("Promotion:Quartz:IdleWaitTime must be at least 00:00:01 (Quartz's minimum)");
        }

        if (MaxConcurrentFirings is < 1 or > 64)
        {
            errors.Add("Promotion:Quartz:MaxConcurrentFirings must be between 1 and 64");
        }

        return errors;
    }
}

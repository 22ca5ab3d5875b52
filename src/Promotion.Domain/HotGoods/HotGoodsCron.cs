using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;

namespace Promotion.Domain.HotGoods;

/// <summary>
/// A hot-goods schedule's cron in the syntax the API accepts, Quartz's: six fields, seconds first,
/// <c>?</c> for "no specific value" in day-of-month or day-of-week, days of week 1-7 meaning SUN-SAT
/// (<c>0 0 10 ? * MON</c>). Occurrences are computed by Cronos in the schedule's time zone, daylight
/// saving included. Quartz's optional seventh field, the year, has no Cronos equivalent and is refused.
/// </summary>
public sealed partial class HotGoodsCron
{
    /// <summary>Most missed occurrences <see cref="Due"/> counts; a longer outage reports this many.</summary>
    public const int MaxMissedCounted = 10_000;

    private const string Example = "e.g. \"0 0 10 ? * MON\" (10:00 every Monday) or \"0/30 * * * * ?\" (every 30 seconds)";

    // An instant every satisfiable expression (there is no year field) has occurrences after.
    private static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CronExpression _expression;

    private HotGoodsCron(string text, CronExpression expression)
    {
        Text = text;
        _expression = expression;
    }

    /// <summary>The expression as given, trimmed.</summary>
    public string Text { get; }

    /// <summary>Reads <paramref name="text"/>; false with what is wrong, in words an operator can act on, when it is not valid.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out HotGoodsCron? cron, [NotNullWhen(false)] out string? problem)
    {
        cron = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "it is empty; " + Example;
            return false;
        }

        var trimmed = text.Trim();
        var fields = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 7)
        {
            problem = "the seventh field (year) is not supported; use six fields, seconds first, " + Example;
            return false;
        }

        if (fields.Length != 6)
        {
            problem = $"it has {fields.Length} field{(fields.Length == 1 ? "" : "s")}; six are needed, seconds first (second minute hour day-of-month month day-of-week), " + Example;
            return false;
        }

        if (QuartzOnly().Match(trimmed) is { Success: true } odd)
        {
            problem = $"'{odd.Value}' is not part of the syntax; " + Example;
            return false;
        }

        foreach (var notDay in new[] { 0, 1, 2, 4 })
        {
            if (fields[notDay].Contains('?', StringComparison.Ordinal))
            {
                problem = "'?' is only allowed in day-of-month (4th field) or day-of-week (6th field)";
                return false;
            }
        }

        if (Restricts(fields[3]) && Restricts(fields[5]))
        {
            problem = "day-of-month and day-of-week cannot both be given; put ? in one of them";
            return false;
        }

        if (!TryTranslateDaysOfWeek(fields[5], out var daysOfWeek, out problem))
        {
            return false;
        }

        fields[5] = daysOfWeek;
        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(string.Join(' ', fields), CronFormat.IncludeSeconds);
        }
        catch (CronFormatException ex)
        {
            problem = ex.Message;
            return false;
        }

        if (expression.GetNextOccurrence(Epoch, TimeZoneInfo.Utc) is null)
        {
            problem = "it never fires (no such date)";
            return false;
        }

        cron = new HotGoodsCron(trimmed, expression);
        problem = null;
        return true;
    }

    /// <summary>Reads <paramref name="text"/>, which must be valid.</summary>
    /// <exception cref="FormatException">It is not valid.</exception>
    public static HotGoodsCron Parse(string text) =>
        TryParse(text, out var cron, out var problem) ? cron : throw new FormatException($"'{text}' is not a valid cron expression: {problem}");

    /// <summary>The first occurrence strictly after <paramref name="instant"/>, in UTC; null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset instant, TimeZoneInfo zone) =>
        _expression.GetNextOccurrence(instant, zone, inclusive: false)?.ToUniversalTime();

    /// <summary>
    /// What a schedule fires when it looks at <paramref name="now"/>, having last fired the
    /// occurrence <paramref name="lastFired"/> (or having been created then). An occurrence no more
    /// than <paramref name="misfireThreshold"/> old is on time and fires, each one, oldest first. One
    /// older than that is a misfire: the schedule was not running (the cluster was down, or it was
    /// paused). Misfires are not replayed: when nothing is on time the schedule fires once, now, for
    /// the latest occurrence it missed, and otherwise the on-time firing stands for them.
    /// </summary>
    public DueOccurrences Due(DateTimeOffset lastFired, DateTimeOffset now, TimeSpan misfireThreshold, TimeZoneInfo zone)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(misfireThreshold, TimeSpan.Zero);
        if (now <= lastFired)
        {
            return DueOccurrences.None;
        }

        var onTimeFrom = now - misfireThreshold;
        var onTime = lastFired < onTimeFrom
            ? _expression.GetOccurrences(onTimeFrom, now, zone, fromInclusive: true, toInclusive: true)
            : _expression.GetOccurrences(lastFired, now, zone, fromInclusive: false, toInclusive: true);
        List<DateTimeOffset> toFire = [.. onTime.Select(o => o.ToUniversalTime())];
        if (lastFired >= onTimeFrom)
        {
            return new DueOccurrences(toFire, 0, null, null);
        }

        var missed = _expression.GetOccurrences(lastFired, onTimeFrom, zone, fromInclusive: false, toInclusive: false).Take(MaxMissedCounted).Count();
        if (missed == 0)
        {
            return new DueOccurrences(toFire, 0, null, null);
        }

        var first = _expression.GetNextOccurrence(lastFired, zone, inclusive: false)!.Value.ToUniversalTime();
        var last = _expression.GetOccurrencesDescending(onTimeFrom, lastFired, zone, fromInclusive: false, toInclusive: false).First().ToUniversalTime();
        if (toFire.Count == 0)
        {
            toFire.Add(last);
        }

        return new DueOccurrences(toFire, missed, first, last);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    // A day field restricts the day unless it is "any" (* or ?, with or without a step over all days).
    private static bool Restricts(string field) => field is not ("*" or "?");

    // Quartz numbers days of week 1-7 from Sunday, Cronos 0-6: every day value (not a step, not the n of #n) moves down one.
    private static bool TryTranslateDaysOfWeek(string field, out string translated, [NotNullWhen(false)] out string? problem)
    {
        var items = field.Split(',');
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i].Equals("L", StringComparison.OrdinalIgnoreCase))
            {
                // Quartz: "L" alone in day-of-week is its last day, Saturday.
                items[i] = "6";
                continue;
            }

            var match = DayOfWeekItem().Match(items[i]);
            if (!match.Success)
            {
                continue; // *, ?, */n and anything Cronos will explain
            }

            var days = new List<string>(2);
            foreach (var part in new[] { match.Groups["from"], match.Groups["to"] }.Where(g => g.Success))
            {
                if (!int.TryParse(part.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var day))
                {
                    days.Add(part.Value); // a name: SUN-SAT mean the same in both
                    continue;
                }

                if (day is < 1 or > 7)
                {
                    translated = field;
                    problem = $"day-of-week {day} is out of range: days of week are 1-7 (1 = SUN, 7 = SAT) or SUN-SAT";
                    return false;
                }

                days.Add((day - 1).ToString(CultureInfo.InvariantCulture));
            }

            items[i] = string.Join('-', days) + match.Groups["rest"].Value;
        }

        translated = string.Join(',', items);
        problem = null;
        return true;
    }

    [GeneratedRegex(@"^(?<from>[0-9]+|[A-Za-z]{3})(?:-(?<to>[0-9]+|[A-Za-z]{3}))?(?<rest>(?:L|#[0-9]+)?(?:/[0-9]+)?)$")]
    private static partial Regex DayOfWeekItem();

    // Cronos extensions Quartz never accepted: H (jitter) and @ macros (the H of THU is a day name).
    [GeneratedRegex(@"(?<![A-Za-z])[Hh](?![A-Za-z])|@")]
    private static partial Regex QuartzOnly();
}

/// <summary>What a schedule fires now (see <see cref="HotGoodsCron.Due"/>).</summary>
/// <param name="ToFire">The occurrences to fire, oldest first: the on-time ones, or the one catch-up for what was missed.</param>
/// <param name="Missed">Occurrences that misfired and are not fired one by one (counted up to <see cref="HotGoodsCron.MaxMissedCounted"/>).</param>
/// <param name="FirstMissed">The earliest of them.</param>
/// <param name="LastMissed">The latest of them (the catch-up firing's occurrence when nothing was on time).</param>
public sealed record DueOccurrences(IReadOnlyList<DateTimeOffset> ToFire, int Missed, DateTimeOffset? FirstMissed, DateTimeOffset? LastMissed)
{
    /// <summary>Nothing to fire.</summary>
    public static DueOccurrences None { get; } = new([], 0, null, null);
}

using Microsoft.Extensions.Logging;
using Orleans;
using Promotion.Domain.Delivery;
using Promotion.Engine.Delivery;
using Promotion.Engine.Jobs;

namespace Promotion.Engine.Campaigns;

/// <summary>
/// Works one page of a shard: screens every recipient by its job's rules, hands every send of the
/// page to the silo's push grain in one call, and folds the outcomes into what the checkpoint
/// records (a member counts once: failed if any channel failed, else sent if any was sent, else
/// skipped). One bad member record never fails the page: it is counted failed with its reason.
/// </summary>
internal sealed partial class ShardPages(IGrainFactory grains, TimeProvider time, ILogger<ShardPages> logger)
{
    public async Task<PageTally> SendAsync(Campaign campaign, IShardedJob job, IReadOnlyList<Recipient> page, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var screened = await Task.WhenAll(page.Select(r => ScreenAsync(campaign, job, r, now, cancellationToken)));
        var sends = new List<PushSend>(page.Count);
        var members = new List<MemberSends>(page.Count);
        foreach (var (recipient, screen) in page.Zip(screened))
        {
            var member = new MemberSends(recipient, screen);
            members.Add(member);
            if (screen.Outcome is not null)
            {
                continue;
            }

            foreach (var channel in recipient.Channels)
            {
                if (recipient.Member.ContactFor(channel) is not { } contact)
                {
                    member.Channels.Add((channel, DeliveryOutcome.Skipped, $"no {channel.ToWire()} contact"));
                    continue;
                }

                member.FirstSend ??= sends.Count;
                member.SendCount++;
                sends.Add(new PushSend(recipient.Member.Id, channel, contact, IdempotencyKey.For(campaign.RootId, recipient.Member.Id, channel)));
            }
        }

        var outcomes = sends.Count == 0
            ? []
            : await grains.GetGrain<IPushGrain>(0).SendPageAsync(new PushPage(
                campaign.Id, campaign.MaxSendsPerSecond, campaign.Message.Title, campaign.Message.Body, campaign.Message.Payload, [.. sends]));

        var tally = new PageTally();
        var at = time.GetUtcNow();
        foreach (var member in members)
        {
            if (member.Screen.Outcome is { } screenedOut)
            {
                tally.Add(screenedOut, member.Screen.Reason, screenedOut == DeliveryOutcome.Failed
                    ? [.. member.Recipient.Channels.Select(c => new SendFailure(member.Recipient.Member.Id, c, member.Screen.Reason ?? "failed", at))]
                    : []);
                continue;
            }

            for (var i = 0; i < member.SendCount; i++)
            {
                var send = sends[member.FirstSend!.Value + i];
                var outcome = outcomes[member.FirstSend.Value + i];
                member.Channels.Add((send.Channel, outcome.Outcome, outcome.Reason));
            }

            var combined = MemberOutcome.Combine(member.Channels.Select(c => c.Outcome));
            if (combined == DeliveryOutcome.Failed && member.Channels.All(c => c.Outcome != DeliveryOutcome.Sent))
            {
                await OnUndeliveredAsync(campaign, job, member.Recipient, cancellationToken);
            }

            var failures = member.Channels.Where(c => c.Outcome == DeliveryOutcome.Failed)
                .Select(c => new SendFailure(member.Recipient.Member.Id, c.Channel, c.Reason ?? "failed", at)).ToList();
            tally.Add(combined, member.Channels.FirstOrDefault(c => c.Outcome == combined).Reason, failures);
        }

        return tally;
    }

    // A job's screening that throws fails that member (all its channels), not the page.
    private static async Task<(DeliveryOutcome? Outcome, string? Reason)> ScreenAsync(Campaign campaign, IShardedJob job, Recipient recipient, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await job.ScreenAsync(campaign, recipient, now, cancellationToken) is { } skip ? (DeliveryOutcome.Skipped, skip) : (null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (DeliveryOutcome.Failed, "error: " + ex.Message);
        }
    }

    // The member is counted failed either way; a job that cannot undo its screening only loses that.
    private async Task OnUndeliveredAsync(Campaign campaign, IShardedJob job, Recipient recipient, CancellationToken cancellationToken)
    {
        try
        {
            await job.OnUndeliveredAsync(campaign, recipient, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUndeliveredFailed(logger, recipient.Member.Id, ex);
        }
    }

    private sealed class MemberSends(Recipient recipient, (DeliveryOutcome? Outcome, string? Reason) screen)
    {
        public Recipient Recipient { get; } = recipient;

        public (DeliveryOutcome? Outcome, string? Reason) Screen { get; } = screen;

        public List<(Channel Channel, DeliveryOutcome Outcome, string? Reason)> Channels { get; } = [];

        public int? FirstSend { get; set; }

        public int SendCount { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {MemberId} was reached on no channel and its job could not undo its screening")]
    private static partial void LogUndeliveredFailed(ILogger logger, long memberId, Exception exception);
}

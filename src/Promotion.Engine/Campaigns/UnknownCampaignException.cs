namespace Promotion.Engine.Campaigns;

/// <summary>A message named a campaign the store does not know (poison: retried, then moved to the error queue).</summary>
public sealed class UnknownCampaignException : Exception
{
    /// <summary>Creates the exception for <paramref name="campaignId"/>.</summary>
    public UnknownCampaignException(Guid campaignId)
        : base($"unknown campaign {campaignId}") => CampaignId = campaignId;

    /// <summary>Creates the exception.</summary>
    public UnknownCampaignException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnknownCampaignException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnknownCampaignException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The id the message named.</summary>
    public Guid CampaignId { get; }
}

namespace Promotion.Engine.Campaigns;

/// <summary>A request the engine refuses; each error names the field (camelCase path) it is about.</summary>
public sealed class CampaignValidationException : Exception
{
    /// <summary>Creates the exception from (field, message) pairs.</summary>
    public CampaignValidationException(IReadOnlyList<(string Field, string Message)> errors)
        : base(string.Join("; ", (errors ?? []).Select(e => e.Message))) => Errors = errors ?? [];

    /// <summary>Creates the exception.</summary>
    public CampaignValidationException()
        : this([])
    {
    }

    /// <summary>Creates the exception.</summary>
    public CampaignValidationException(string message)
        : this([(string.Empty, message)])
    {
    }

    /// <summary>Creates the exception.</summary>
    public CampaignValidationException(string message, Exception innerException)
        : base(message, innerException) => Errors = [(string.Empty, message)];

    /// <summary>The problems, by field.</summary>
    public IReadOnlyList<(string Field, string Message)> Errors { get; }
}

namespace Promotion.Domain.Campaigns;

/// <summary>A status change the state machine does not allow (the admin API answers 409).</summary>
public sealed class IllegalTransitionException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public IllegalTransitionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public IllegalTransitionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public IllegalTransitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

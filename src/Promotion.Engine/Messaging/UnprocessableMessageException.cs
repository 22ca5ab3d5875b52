namespace Promotion.Engine.Messaging;

/// <summary>
/// A job message that can never be handled, such as a malformed event from an outside producer.
/// Retrying cannot help, so the transport moves the message to its queue's error queue at once,
/// with this exception's message as the reason, and the consumer goes on with the next one.
/// </summary>
public sealed class UnprocessableMessageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnprocessableMessageException()
    {
    }

    /// <summary>Creates the exception with the reason.</summary>
    public UnprocessableMessageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnprocessableMessageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

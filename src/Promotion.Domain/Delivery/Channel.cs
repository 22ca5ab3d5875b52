namespace Promotion.Domain.Delivery;

/// <summary>A way of reaching a member. The wire names are lower case: app, sms, email, inbox.</summary>
public enum Channel
{
    /// <summary>App push to the member's device token.</summary>
    App,
    /// <summary>Text message to the member's phone.</summary>
    Sms,
    /// <summary>Email to the member's address.</summary>
    Email,
    /// <summary>The member's in-site inbox; every member has one.</summary>
    Inbox,
}

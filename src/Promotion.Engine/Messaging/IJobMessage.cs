namespace Promotion.Engine.Messaging;

/// <summary>Marker for the messages the engine exchanges through <see cref="IJobDispatcher"/>.</summary>
#pragma warning disable CA1040 // a marker keeps the dispatcher from carrying arbitrary types
public interface IJobMessage;
#pragma warning restore CA1040

using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using Promotion.Engine.Coupons;

namespace Promotion.Infrastructure.Streams;

/// <summary>
/// One broker message on its way through the pulling agent's cache to the partition grain: the
/// partition's stream, the receiver's sequence number of the message, and its login events.
/// </summary>
[GenerateSerializer, Alias("promotion.login-event-container")]
internal sealed class LoginEventContainer(StreamId streamId, EventSequenceTokenV2 token, LoginEvent[] events) : IBatchContainer
{
    [Id(0)]
    public StreamId StreamId { get; } = streamId;

    [Id(1)]
    public EventSequenceTokenV2 Token { get; } = token;

    [Id(2)]
    public LoginEvent[] Events { get; } = events;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
        Events.OfType<T>().Select((e, i) => Tuple.Create<T, StreamSequenceToken>(e, Token.CreateSequenceTokenForEvent(i)));

    // Login events carry no request context.
    public bool ImportRequestContext() => false;
}

using System.Text;
using Promotion.Engine.Coupons;
using Promotion.Infrastructure.Streams;

namespace Promotion.Infrastructure.Tests.Streams;

public class LoginEventCodecTests
{
    private static LoginEventBody Decode(string body) => LoginEventCodec.Decode(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void What_is_encoded_decodes_to_the_same_events()
    {
        var at = new DateTimeOffset(2026, 5, 1, 14, 0, 0, TimeSpan.FromHours(2));
        var body = LoginEventCodec.Decode(LoginEventCodec.Encode([new LoginEvent(1, at), new LoginEvent(9_007_199_254_740_993, at)]));
        Assert.Null(body.Problem);
        Assert.Equal([new LoginEvent(1, at), new LoginEvent(9_007_199_254_740_993, at)], body.Events);
    }

    [Fact]
    public void Reads_the_endpoints_array_string_ids_and_the_older_envelope()
    {
        Assert.Equal([7L, 8L], Decode("""[{"memberId": 7, "at": "2026-05-01T12:00:00Z"}, {"memberId": "8", "at": "2026-05-01T12:00:00+02:00"}]""").Events.Select(e => e.MemberId));
        Assert.Equal([9L], Decode("""{"events": [{"memberId": 9, "at": "2026-05-01T12:00:00Z"}]}""").Events.Select(e => e.MemberId));
        Assert.Empty(Decode("[]").Events);
        Assert.Null(Decode("[]").Problem);
    }

    [Theory]
    [InlineData("nope", "the body is not JSON")]
    [InlineData("""{"memberId": 1}""", "the body must be a JSON array")]
    [InlineData("""[{"memberId": 0, "at": "2026-05-01T12:00:00Z"}]""", "[0].memberId must be a positive integer")]
    [InlineData("""[{"memberId": 1, "at": "2026-05-01T12:00:00"}]""", "[0].at must be an ISO 8601 time with an offset")]
    [InlineData("""[{"memberId": 1}]""", "[0].at must be")]
    [InlineData("""[3]""", "[0] must be an object")]
    public void Names_what_is_malformed(string body, string problem)
    {
        var decoded = Decode(body);
        Assert.Empty(decoded.Events);
        Assert.Contains(problem, decoded.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_over_1000_events_is_refused_whole()
    {
        var body = "[" + string.Join(",", Enumerable.Range(1, 1001).Select(i => $$"""{"memberId": {{i}}, "at": "2026-05-01T12:00:00Z"}""")) + "]";
        var decoded = Decode(body);
        Assert.Empty(decoded.Events);
        Assert.Contains("at most 1,000", decoded.Problem, StringComparison.Ordinal);
    }
}

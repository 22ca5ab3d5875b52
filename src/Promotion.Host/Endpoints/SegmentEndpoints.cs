using Promotion.Engine.Members;

namespace Promotion.Host.Endpoints;

/// <summary><c>GET /api/segments</c>: the known segments, for audience pickers.</summary>
internal static class SegmentEndpoints
{
    public static IEndpointRouteBuilder MapSegmentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/segments", async (IMemberDirectory members, CancellationToken ct) => Results.Ok(new { items = await members.ListSegmentsAsync(ct) }))
            .WithTags("Members").WithSummary("The known member segments").Produces<SegmentListResponse>();
        return app;
    }
}

/// <summary>The known member segments.</summary>
/// <param name="Items">Segment names.</param>
public sealed record SegmentListResponse(IReadOnlyList<string> Items);

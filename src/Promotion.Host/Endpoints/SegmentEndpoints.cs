using Promotion.Engine.Members;

namespace Promotion.Host.Endpoints;

/// <summary><c>GET /api/segments</c>: the known segments, for audience pickers.</summary>
internal static class SegmentEndpoints
{
    public static IEndpointRouteBuilder MapSegmentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/segments", async (IMemberDirectory members, CancellationToken ct) => Results.Ok(new { items = await members.ListSegmentsAsync(ct) }))
            .WithTags("Members");
        return app;
    }
}

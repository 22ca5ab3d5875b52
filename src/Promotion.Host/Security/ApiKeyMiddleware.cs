namespace Promotion.Host.Security;

/// <summary>
/// Guards <c>/api</c> and <c>/openapi</c>: a key in <c>X-Api-Key</c> is required; producer keys may
/// only post to <c>/api/events/</c>, operator keys may call everything. 401 without a valid key,
/// 403 for a producer key on the admin API; the problem details say no more than that.
/// Health, liveness and the dashboard's static files stay open (they carry no data).
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyRing keys)
{
    public const string Header = "X-Api-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && !path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[Header].ToString();
        var role = presented.Length == 0 ? ApiKeyRole.None : keys.RoleOf(presented);
        if (role == ApiKeyRole.None)
        {
            context.Response.Headers.WWWAuthenticate = "ApiKey header=\"" + Header + "\"";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: presented.Length == 0 ? $"send an API key in {Header}" : "the API key is not valid").ExecuteAsync(context);
            return;
        }

        if (role == ApiKeyRole.Producer && !path.StartsWithSegments("/api/events", StringComparison.OrdinalIgnoreCase))
        {
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "this key may only post events").ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}

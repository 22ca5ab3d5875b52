namespace Promotion.Host.Security;

/// <summary>
/// Guards everything but health, liveness and sign-in: the admin API, the OpenAPI document, the
/// domain dashboard at <c>/</c> and the Orleans Dashboard at <c>/dashboard</c>. A caller presents an
/// operator or producer key in <c>X-Api-Key</c>, or a browser the operator session cookie that
/// <c>/signin</c> sets. Producer keys may only post to <c>/api/events/</c>. 401 without valid
/// credentials (a browser asking for a page gets the sign-in page with it), 403 for a producer key
/// elsewhere; the problem details say no more than that.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyRing keys, OperatorSession sessions)
{
    public const string Header = "X-Api-Key";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (IsOpen(path))
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[Header].ToString();
        var role = presented.Length > 0 ? keys.RoleOf(presented)
            : sessions.IsValid(context.Request.Cookies[OperatorSession.CookieName]) ? ApiKeyRole.Operator
            : ApiKeyRole.None;
        if (role == ApiKeyRole.None)
        {
            context.Response.Headers.WWWAuthenticate = "ApiKey header=\"" + Header + "\"";
            if (presented.Length == 0 && WantsPage(context.Request))
            {
                await SignInEndpoints.WritePageAsync(context, StatusCodes.Status401Unauthorized, path + context.Request.QueryString, message: null);
                return;
            }

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

    private static bool IsOpen(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/alive", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/signin", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/signout", StringComparison.OrdinalIgnoreCase);

    // A browser navigating to a page (not a script fetching JSON) is shown how to sign in.
    private static bool WantsPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}

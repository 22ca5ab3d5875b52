using System.Net;
using System.Reflection;

namespace Promotion.Host.Security;

/// <summary>
/// <c>/signin</c> and <c>/signout</c> for operators in a browser: the domain dashboard at <c>/</c> and the
/// Orleans Dashboard at <c>/dashboard</c> answer 401 with this sign-in page to a browser without a
/// session, and scripts send <c>X-Api-Key</c> instead.
/// </summary>
internal static class SignInEndpoints
{
    private static readonly string PageTemplate = ReadPage();

    public static IEndpointRouteBuilder MapSignInEndpoints(this IEndpointRouteBuilder app, ApiKeyRing keys, OperatorSession sessions)
    {
        app.MapGet("/signin", (HttpContext context, string? returnUrl) =>
            WritePageAsync(context, StatusCodes.Status200OK, LocalOrRoot(returnUrl), message: null)).ExcludeFromDescription();
        app.MapPost("/signin", (HttpContext context) => SignInAsync(context, keys, sessions)).ExcludeFromDescription();
        app.MapPost("/signout", (HttpContext context) =>
        {
            context.Response.Cookies.Delete(OperatorSession.CookieName, CookieOptions(context));
            return Results.Redirect("/signin", permanent: false, preserveMethod: false);
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>Writes the sign-in page with <paramref name="status"/>; after signing in the browser goes back to <paramref name="returnUrl"/>.</summary>
    public static Task WritePageAsync(HttpContext context, int status, string returnUrl, string? message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var page = PageTemplate
            .Replace("{{returnUrl}}", WebUtility.HtmlEncode(returnUrl), StringComparison.Ordinal)
            .Replace("{{message}}", message is null ? "" : "<p class=\"error\" role=\"alert\">" + WebUtility.HtmlEncode(message) + "</p>", StringComparison.Ordinal);
        return context.Response.WriteAsync(page);
    }

    private static async Task SignInAsync(HttpContext context, ApiKeyRing keys, OperatorSession sessions)
    {
        if (!context.Request.HasFormContentType)
        {
            await Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "post the sign-in form").ExecuteAsync(context);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var key = form["key"].ToString();
        var returnUrl = LocalOrRoot(form["returnUrl"].ToString());
        if (key.Length == 0 || keys.RoleOf(key) != ApiKeyRole.Operator)
        {
            await WritePageAsync(context, StatusCodes.Status401Unauthorized, returnUrl, "That is not an operator API key.");
            return;
        }

        context.Response.Cookies.Append(OperatorSession.CookieName, sessions.Issue(key), CookieOptions(context));
        context.Response.Redirect(returnUrl);
    }

    private static CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        MaxAge = OperatorSession.Lifetime,
    };

    // Only paths on this host: a sign-in must never bounce the browser to another site.
    private static string LocalOrRoot(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";

    private static string ReadPage()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Promotion.Host.wwwroot.signin.html")
            ?? throw new InvalidOperationException("the sign-in page is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

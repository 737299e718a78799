using System.Reflection;
using System.Runtime.CompilerServices;
using AbstractCore.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>One row of the route table: method, path (constraints removed), handler, auth rule.</summary>
public sealed record RouteRow(string Method, string Path, string Handler, string Auth)
{
    public string Key => $"{Method} {Path}";

    public override string ToString() => $"| {Method} | {Path} | {Handler} | {Auth} |";
}

/// <summary>
/// The gateway's route table as its endpoint data source holds it. Every value comes from endpoint metadata, the
/// same metadata the auth middleware reads, so the table shows the rule a route really gets.
/// </summary>
public static class RouteTable
{
    public static IReadOnlyList<RouteRow> From(EndpointDataSource source) =>
    [
        .. source.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => new RouteRow(m, WithoutConstraints(e.RoutePattern.RawText!), Handler(e), Auth(e))))
            .OrderBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal),
    ];

    /// <summary><c>/{provider:provider}/v1/models</c> → <c>/{provider}/v1/models</c>.</summary>
    public static string WithoutConstraints(string template) =>
        "/" + System.Text.RegularExpressions.Regex.Replace(template.TrimStart('/'), @"\{(\w+):[^}]+\}", "{$1}");

    /// <summary>As <see cref="OpenEndpoints.IsOpen"/> decides: docs pages first, then <see cref="IAllowAnonymous"/>, else the
    /// server token; <c>+ query api_key</c> where <see cref="KeyPlacement.QueryApiKeyAllowed"/> is declared.</summary>
    private static string Auth(Endpoint e) =>
        e.Metadata.GetMetadata<OpenEndpoints.DocsPage>() is not null ? "docs"
        : e.Metadata.GetMetadata<IAllowAnonymous>() is not null ? "open"
        : e.Metadata.GetMetadata<KeyPlacement.QueryApiKeyAllowed>() is not null ? "token + query api_key"
        : e.Metadata.GetMetadata<AbstractCore.Api.Keys.AdminOnly>() is not null ? "admin"
        : "token";

    /// <summary>The <c>XxxHandler</c> service a route delegate takes, else the named method it is, else the class that
    /// maps the lambda (a framework's own route: its type).</summary>
    private static string Handler(Endpoint e)
    {
        if (e.Metadata.GetMetadata<MethodInfo>() is not { } method)
        {
            return e.RequestDelegate?.Target?.GetType() is { } target ? Named(target).Name : "?";
        }

        if (method.GetParameters().FirstOrDefault(p => p.ParameterType.Name.EndsWith("Handler", StringComparison.Ordinal)) is { } handler)
        {
            return handler.ParameterType.Name;
        }

        var type = Named(method.DeclaringType!);
        return method.IsDefined(typeof(CompilerGeneratedAttribute)) || method.Name.StartsWith('<') ? type.Name : $"{type.Name}.{method.Name}";
    }

    /// <summary>A lambda's closure class → the class whose code wrote the lambda.</summary>
    private static Type Named(Type type)
    {
        while (type.IsDefined(typeof(CompilerGeneratedAttribute)) && type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }
}

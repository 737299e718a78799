using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>The route table the auth and fuzz tests use is the gateway's: no mapped route is missing from it.</summary>
public sealed class ApiRoutesTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Fact]
    public void Every_mapped_api_route_is_in_the_table()
    {
        var mapped = fx.Gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not null && !IsOpen(e))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(m => $"{m} {WithoutConstraints(e.RoutePattern.RawText!)}"))
            .ToHashSet();
        var table = ApiRoutes.All.Select(r => r.ToString()).ToHashSet();

        Assert.Empty(mapped.Except(table));
        Assert.Empty(table.Except(mapped));
    }

    /// <summary><c>/{provider:provider}/v1/models</c> → <c>/{provider}/v1/models</c>.</summary>
    private static string WithoutConstraints(string template) =>
        "/" + System.Text.RegularExpressions.Regex.Replace(template.TrimStart('/'), @"\{(\w+):[^}]+\}", "{$1}");

    /// <summary>Open by their metadata (health probes, docs pages), as the server auth check reads it.</summary>
    private static bool IsOpen(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<AbstractCore.Api.Auth.OpenEndpoints.DocsPage>() is not null ||
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;
}

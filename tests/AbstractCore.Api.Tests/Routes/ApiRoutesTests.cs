using AbstractCore.Api.Tests.Infrastructure;
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
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>() is not null)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(m => $"{m} {"/" + e.RoutePattern.RawText!.TrimStart('/')}"))
            .Where(r => !IsOpen(r))
            .ToHashSet();
        var table = ApiRoutes.All.Select(r => r.ToString()).ToHashSet();

        Assert.Empty(mapped.Except(table));
        Assert.Empty(table.Except(mapped));
    }

    private static bool IsOpen(string route) =>
        route.Split(' ')[1] is "/health" or "/alive" or "/ready" or "/openapi.json" or "/docs-lite" or "/redoc" ||
        route.Split(' ')[1].StartsWith("/docs", StringComparison.Ordinal) ||
        route.Split(' ')[1].StartsWith("/scalar", StringComparison.Ordinal) ||
        route.Split(' ')[1].StartsWith("/redoc", StringComparison.Ordinal);
}

using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>
/// The mapped routes are exactly <see cref="RouteTableFile"/>'s: a route without a row fails, a row without a route
/// fails, and so does a changed handler or auth rule. On failure the message holds the table as mapped, to review and paste.
/// </summary>
public sealed class RouteTableTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private IReadOnlyList<RouteRow> Mapped => RouteTable.From(fx.Gateway.Services.GetRequiredService<EndpointDataSource>());

    [Fact]
    public void Every_mapped_route_has_its_row()
    {
        var rows = RouteTableFile.Served.Select(r => r.Row).ToHashSet();
        var missing = Mapped.Where(r => !rows.Contains(r)).ToList();

        Assert.True(missing.Count == 0, $"Mapped without a row in {RouteTableFile.Name}:\n{string.Join('\n', missing)}\n\nAs mapped:\n{string.Join('\n', Mapped)}");
    }

    [Fact]
    public void Every_row_has_its_route()
    {
        var mapped = Mapped.ToHashSet();
        var stale = RouteTableFile.Served.Select(r => r.Row).Where(r => !mapped.Contains(r)).ToList();

        Assert.True(stale.Count == 0, $"Rows of {RouteTableFile.Name} with no such route:\n{string.Join('\n', stale)}\n\nAs mapped:\n{string.Join('\n', Mapped)}");
    }

    [Fact]
    public void Rows_are_unique_and_name_their_source()
    {
        Assert.Equal(RouteTableFile.Served.Count, RouteTableFile.Served.Select(r => r.Row.Key).Distinct().Count());
        Assert.All(RouteTableFile.Served, r => Assert.Contains(r.Source, (string[])["spec", "ours"]));
    }

    [Fact]
    public void The_specification_rows_not_served_are_not_mapped()
    {
        var mapped = Mapped.Select(r => r.Key).ToHashSet();

        Assert.All(RouteTableFile.NotServed, key => Assert.DoesNotContain(key, mapped));
    }

    /// <summary>The auth and fuzz tests' list is the table's token-guarded routes, so every such route gets those tests.</summary>
    [Fact]
    public void The_auth_and_fuzz_route_list_is_the_tables_guarded_routes()
    {
        var guarded = RouteTableFile.Served.Where(r => r.Row.Auth.StartsWith("token", StringComparison.Ordinal) || r.Row.Auth == "admin").Select(r => r.Row.Key).Order().ToList();

        Assert.Equal(guarded, ApiRoutes.All.Select(r => r.ToString()).Order().ToList());
    }
}

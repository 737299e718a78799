using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AbstractCore.Api.Hosting;

/// <summary>
/// The route groups of the OpenAI-compatible surface, built once: <c>/v1</c> and its twin <c>/{provider}/v1</c>, where
/// the path names the provider. Only the routes the specification serves under both are mapped into both
/// (<see cref="MapBoth"/>); the rest go to <see cref="V1"/> alone, or to <see cref="Root"/> when outside <c>/v1</c>.
/// </summary>
internal sealed class OpenAIApi(IEndpointRouteBuilder root)
{
    private const string ScopedSuffix = " with the provider chosen by the path";

    public RouteGroupBuilder V1 { get; } = root.MapGroup("/v1");

    /// <summary>Its handlers read <c>{provider}</c> as a route value, not a bound parameter, so the document is told of it here.</summary>
    public RouteGroupBuilder ProviderV1 { get; } = root.MapGroup(ProviderSegment.Prefix + "/v1").AddOpenApiOperationTransformer(DocumentProvider);

    /// <summary>Routes outside <c>/v1</c>; a group made after the others, so the document lists their tags in the same order.</summary>
    public RouteGroupBuilder Root { get; } = root.MapGroup("");

    /// <summary>Maps one route into both groups with the same handler and metadata; only the summary tells them apart
    /// in the document.</summary>
    public void MapBoth(Func<IEndpointRouteBuilder, RouteHandlerBuilder> map, string summary, string? providerSummary = null)
    {
        map(V1).WithSummary(summary);
        map(ProviderV1).WithSummary(providerSummary ?? summary + ScopedSuffix);
    }

    /// <summary>The <c>{provider}</c> of <c>/{provider}/v1/…</c>, or null under <c>/v1</c>: a route value lookup, no binding.</summary>
    public static string? PathProvider(HttpContext context) => context.GetRouteValue("provider") as string;

    private static Task DocumentProvider(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        if (!operation.Parameters.Any(p => p.Name == "provider" && p.In == ParameterLocation.Path))
        {
            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = "provider", In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        return Task.CompletedTask;
    }
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AbstractCore.Api.Hosting;

/// <summary>
/// An executable request example for an endpoint that reads its own body (so the docs can send it): JSON by default,
/// or the fields of a multipart form. The operation transformer below turns it, with the body type's schema, into the
/// OpenAPI request body.
/// </summary>
internal sealed record RequestExample(Type BodyType, string Json, string ContentType = "application/json")
{
    public static async Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var example = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestExample>().FirstOrDefault();
        if (AbstractCore.Api.Docs.ControlPlaneExamples.For(context.Description) is var (summary, controlPlaneExample))
        {
            operation.Summary ??= summary;
            example ??= controlPlaneExample;
        }

        if (example is null)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(example.BodyType, cancellationToken: cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [example.ContentType] = new() { Schema = schema, Example = JsonNode.Parse(example.Json) },
            },
        };
    }
}

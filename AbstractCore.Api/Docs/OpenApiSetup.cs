using AbstractCore.Api.Hosting;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AbstractCore.Api.Docs;

/// <summary>How <c>/openapi.json</c> is built: executable request examples, the extension fields of chat and Responses
/// bodies, and the server bearer scheme.</summary>
internal static class OpenApiSetup
{
    public const string BearerScheme = "AbstractCoreBearerAuth";

    public static void Configure(OpenApiOptions options)
    {
        options.AddOperationTransformer(RequestExample.ApplyAsync);
        options.AddSchemaTransformer(ExtensionFieldSchemas.ApplyAsync);
        options.AddDocumentTransformer(AddServerBearerAsync);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "AbstractCore";
            document.Info.Description = "One server, all models, any client: an OpenAI-compatible gateway. " +
                "Examples on every request body can be sent as they are from /docs.";
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Declares the server token only when one is configured: without it, a docs UI would offer an authorize flow for a
    /// token that does not exist. Health stays open (<c>security: []</c>); every other operation requires the token.
    /// </summary>
    private static Task AddServerBearerAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.ApplicationServices.GetRequiredService<GatewaySettings>().AuthEnabled)
        {
            return Task.CompletedTask;
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "server auth token",
            Description = "The server token (ABSTRACTCORE_AUTH_TOKEN), sent as Authorization: Bearer <token>.",
        };
        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] };
        foreach (var (path, item) in document.Paths)
        {
            if (item.Operations is null)
            {
                continue;
            }

            foreach (var operation in item.Operations.Values)
            {
                operation.Security = path.Equals("/health", StringComparison.OrdinalIgnoreCase) ? [] : [requirement];
            }
        }

        return Task.CompletedTask;
    }
}

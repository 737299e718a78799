using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Models;
using AbstractCore.Providers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace AbstractCore.Api.Models;

/// <summary>
/// <c>GET /v1/models</c>: <c>provider/model</c> ids from every configured provider, asked concurrently; a
/// provider that fails is left out and named in <c>X-AbstractCore-Warning</c>; Anthropic's list shape for a caller that sends <c>anthropic-version</c>. <c>GET /providers</c>: each
/// provider's status. Both take the context: what they list depends on whether the caller presented the server token.
/// </summary>
internal static class ModelsHandler
{
    /// <summary><paramref name="provider"/> is the path's under <c>/{provider}/v1</c>, the query's under <c>/v1</c>.</summary>
    public static async Task<IResult> ListAsync(
        HttpContext context,
        string? provider,
        [FromQuery(Name = "input_type")] string? inputType,
        [FromQuery(Name = "output_type")] string? outputType,
        [FromQuery(Name = "base_url")] string? baseUrl,
        [FromQuery(Name = "api_key")] string? apiKey)
    {
        ModelCapabilities.Validate(inputType, outputType);
        if (provider is null && (apiKey is not null || baseUrl is not null))
        {
            throw GatewayException.BadRequest(
                $"{(apiKey is not null ? "api_key" : "base_url")} requires provider=... so the override target is unambiguous.",
                apiKey is not null ? "api_key" : "base_url");
        }

        var services = context.RequestServices;
        var discovery = services.GetRequiredService<ModelDiscovery>();
        var resolver = services.GetRequiredService<ProviderResolver>();
        var authenticated = ServerAuth.IsAuthenticated(context);
        var aborted = context.RequestAborted;
        ModelDiscovery.Outcome[] outcomes;
        if (provider is null)
        {
            // Without the server token, providers the server holds a key for are left out silently.
            outcomes = await discovery.ListAllAsync(
                discovery.Probed().Where(p => authenticated || resolver.ServerKey(p) is null), authenticated, aborted);
        }
        else
        {
            var target = ProviderCatalog.Get(provider);
            var settings = services.GetRequiredService<GatewaySettings>();
            // The query key (only accepted here) wins over the headers.
            var key = ProviderKeys.Clean(apiKey) ?? context.Request.Headers.ProviderKey(settings.AuthEnabled);
            var request = new ProviderRequest(baseUrl, key, authenticated);
            ServerKeyGuard.RequireAuthForServerKey(target.Name, resolver.ServerKeySetting(target), request);
            outcomes = [await discovery.ListAsync(target, request, aborted)];
        }

        var failed = outcomes.Where(o => o.Status == "unavailable").Select(o => $"{o.Provider.Name} unavailable: {o.Error}").ToList();
        if (failed.Count > 0)
        {
            context.Response.Headers["X-AbstractCore-Warning"] = string.Join("; ", failed);
        }

        var aliases = provider is null ? AliasModels(services.GetRequiredService<AbstractCore.Aliases.ModelAliases>(), inputType, outputType) : [];
        var models = aliases.Concat(outcomes.SelectMany(o => o.Models).Where(m => ModelCapabilities.Matches(m, inputType, outputType))).ToList();
        if (context.Request.Headers.ContainsKey(AbstractCore.Messages.AnthropicModelList.VersionHeader))
        {
            // An Anthropic client (Claude Code, the Anthropic SDKs) lists models in its own shape.
            context.Response.ContentType = "application/json";
            AbstractCore.Messages.AnthropicModelList.Write(models, context.Response.BodyWriter);
            return Results.Empty;
        }

        return TypedResults.Json(new ModelList { Data = models }, OpenAIJsonContext.Wire.ModelList);
    }

    /// <summary>
    /// The configured aliases, each listed when every one of its deployments' models has the asked capabilities (a request
    /// may land on any of them); <c>context_length</c> is the largest deployment's, which a context-length fallback reaches.
    /// </summary>
    private static IEnumerable<ModelInfo> AliasModels(AbstractCore.Aliases.ModelAliases aliases, string? inputType, string? outputType) =>
        aliases.All
            .Where(a => a.Deployments.All(d => ModelCapabilities.Matches(d.Model.ToString(), inputType, outputType)))
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => new ModelInfo
            {
                Id = a.Name,
                OwnedBy = "abstractcore",
                ContextLength = a.Deployments.Max(d => d.ContextWindow),
                Deployments = [.. a.Deployments.Select(d => d.Name)],
            });

    public static async Task<JsonHttpResult<ProviderList>> ProvidersAsync(HttpContext context, bool? include_models)
    {
        var discovery = context.RequestServices.GetRequiredService<ModelDiscovery>();
        var resolver = context.RequestServices.GetRequiredService<ProviderResolver>();
        var authenticated = ServerAuth.IsAuthenticated(context);
        var probed = discovery.Probed().ToHashSet();
        if (include_models == true && !authenticated)
        {
            // Listing models of a provider the server holds a key for spends that key: the server token is required.
            foreach (var keyed in probed)
            {
                ServerKeyGuard.RequireAuthForServerKey(keyed.Name, resolver.ServerKeySetting(keyed), ProviderRequest.Anonymous);
            }
        }

        var outcomes = await discovery.ListAllAsync(probed, authenticated, context.RequestAborted);
        var byName = outcomes.ToDictionary(o => o.Provider.Name);
        var list = ProviderCatalog.All.Select(p => byName.TryGetValue(p.Name, out var o)
            ? new ProviderStatus(p.Name, "llm", o.Status, o.Models.Count, include_models == true ? o.Models : null, o.Error)
            : new ProviderStatus(p.Name, "llm", "unconfigured", 0, include_models == true ? [] : null, null));
        return TypedResults.Json(new ProviderList([.. list]), ModelsJsonContext.Default.ProviderList);
    }
}

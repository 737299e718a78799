using Microsoft.AspNetCore.Authorization;

namespace AbstractCore.Api.Auth;

/// <summary>
/// Which routes answer without the server token, declared on the endpoints themselves: ASP.NET Core's
/// <see cref="IAllowAnonymous"/> (health probes, <c>/</c> and <c>/favicon.ico</c>) or <see cref="DocsPage"/> (open unless
/// ABSTRACTCORE_SERVER_PROTECT_DOCS). A path is never open because of how it starts: <c>/docs/v1/chat/completions</c>
/// is the chat route with <c>provider = docs</c>, and needs the token like any other.
/// </summary>
internal static class OpenEndpoints
{
    /// <summary>Endpoint metadata: a documentation page or one of its assets.</summary>
    internal sealed class DocsPage
    {
        public static DocsPage Instance { get; } = new();
    }

    public static TBuilder AsDocsPage<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(DocsPage.Instance).ExcludeFromDescription();

    public static bool IsOpen(HttpContext context, bool protectDocs)
    {
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            return true;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            return false;
        }

        // The docs rule first: Scalar marks its own assets IAllowAnonymous, which must not beat PROTECT_DOCS.
        return endpoint.Metadata.GetMetadata<DocsPage>() is not null
            ? !protectDocs
            : endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
    }
}

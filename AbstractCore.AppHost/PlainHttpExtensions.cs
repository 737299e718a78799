namespace AbstractCore.AppHost;

internal static class PlainHttpExtensions
{
    /// <summary>
    /// The services listen on plain HTTP on loopback. Aspire still prepares the ASP.NET Core development certificate for
    /// every project and, when none is trusted (a fresh machine, a container, CI), warns in the log and shows the
    /// dashboard's red "No trusted development certificate" banner about a certificate nothing here uses. Remove this
    /// when a service gets an HTTPS endpoint (and trust the certificate: <c>dotnet dev-certs https --trust</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutDevelopmentCertificate(this IResourceBuilder<ProjectResource> project)
    {
#pragma warning disable ASPIRECERTIFICATES001 // experimental in Aspire 13.6
        return project.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
    }
}

namespace AbstractCore.AppHost;

internal static class OptionalSettingsExtensions
{
    /// <summary>
    /// For each variable set in the AppHost's configuration (environment variable <c>OPENAI_API_KEY</c>, or user secret
    /// <c>Parameters:openai-api-key</c>), adds a secret parameter and passes it to the resource under the variable's name.
    /// Unset variables add nothing, so the manifest lists only the secrets a deployment actually uses.
    /// </summary>
    public static IResourceBuilder<T> WithOptionalSecrets<T>(
        this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, IEnumerable<string> variables)
        where T : IResourceWithEnvironment
    {
        foreach (var variable in variables)
        {
            var parameterName = variable.ToLowerInvariant().Replace('_', '-');
            var value = FirstSet(builder.Configuration[$"Parameters:{parameterName}"], builder.Configuration[variable]);
            if (value is null)
            {
                continue;
            }

            // Api and Jobs both take the provider keys: the second resource reuses the first one's parameter.
            var parameter = builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == parameterName) is { } existing
                ? builder.CreateResourceBuilder(existing)
                : builder.AddParameter(parameterName, () => value, publishValueAsDefault: false, secret: true);
            resource.WithEnvironment(variable, parameter);
        }

        return resource;
    }

    /// <summary>Copies each variable that is set in the AppHost's configuration to the resource's environment.</summary>
    public static IResourceBuilder<T> WithOptionalEnvironment<T>(
        this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, IEnumerable<string> variables)
        where T : IResourceWithEnvironment
    {
        foreach (var variable in variables)
        {
            if (FirstSet(builder.Configuration[variable]) is { } value)
            {
                resource.WithEnvironment(variable, value);
            }
        }

        return resource;
    }

    /// <summary>
    /// Inference writes a small demo model into an empty models folder, so a first run has something to chat with.
    /// With a real provider configured it is an unasked-for model on disk: it is turned off, unless the user set
    /// <c>ABSTRACTCORE_ONNX_DEMO_MODEL</c> (passed through by <see cref="ServiceSettings.InferenceVariables"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDemoModelOnlyWithoutProvider(
        this IResourceBuilder<ProjectResource> inference, IDistributedApplicationBuilder builder)
    {
        var userChose = FirstSet(builder.Configuration[ServiceSettings.OnnxDemoModelVariable]) is not null;
        return userChose || !ServiceSettings.HasChatProvider(builder.Configuration)
            ? inference
            : inference.WithEnvironment(ServiceSettings.OnnxDemoModelVariable, "false");
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}

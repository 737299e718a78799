using AbstractCore.Capabilities;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AbstractCore.Api.Capabilities;

/// <summary>List, set (partially) and clear the capability route defaults; each answers the whole list as it now is.</summary>
internal static class CapabilityDefaultsHandler
{
    public static async Task<JsonHttpResult<CapabilityDefaultsPayload>> SetAsync(
        string kind, string modality, string? task, HttpRequest request, ICapabilityDefaultsStore store, CancellationToken ct)
    {
        var key = CapabilityDefault.ValidateKey(kind, modality, task);
        var body = await Requests.JsonBody.ReadMediaObjectAsync(request, ct);
        var current = await store.GetAsync(CapabilityDefault.KeyOf(key.Kind, key.Modality, key.Task), ct)
                      ?? CapabilityDefault.Empty(key.Kind, key.Modality, key.Task);
        await store.SaveAsync(CapabilityDefaultPatch.Apply(current, body), ct);
        return await ListAsync(store, ct);
    }

    public static async Task<JsonHttpResult<CapabilityDefaultsPayload>> DeleteAsync(
        string kind, string modality, string? task, ICapabilityDefaultsStore store, CancellationToken ct)
    {
        var key = CapabilityDefault.ValidateKey(kind, modality, task);
        await store.DeleteAsync(CapabilityDefault.KeyOf(key.Kind, key.Modality, key.Task), ct);
        return await ListAsync(store, ct);
    }

    public static async Task<JsonHttpResult<CapabilityDefaultsPayload>> ListAsync(ICapabilityDefaultsStore store, CancellationToken ct)
    {
        var routes = await store.ListAsync(ct);
        var payload = new CapabilityDefaultsPayload
        {
            Source = store.Source,
            ConfigFile = store.ConfigFile,
            Routes = [.. routes.Select(r => new CapabilityRouteEntry
            {
                Key = r.Key, Kind = r.Kind, Modality = r.Modality, Task = r.Task, Provider = r.Provider, Model = r.Model,
                BaseUrl = r.BaseUrl, Reasoning = r.Reasoning, Options = r.Options, Configured = r.IsConfigured, Source = store.Source,
            })],
        };
        return TypedResults.Json(payload, CapabilitiesJsonContext.Default.CapabilityDefaultsPayload);
    }
}

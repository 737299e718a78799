using System.Text.Json;

namespace AbstractCore.Api.Keys;

/// <summary><c>/acore/keys</c>: make, list, read, change and delete virtual keys. Admin only (<see cref="AdminOnly"/>).</summary>
internal sealed partial class KeysHandler(KeyRing ring, TimeProvider time, ILogger<KeysHandler> logger)
{
    private IKeyStore Store => ring.Store;

    public async Task<IResult> CreateAsync(HttpContext context)
    {
        using var body = await Requests.JsonBody.ReadAsync(context.Request, context.RequestAborted);
        using var document = JsonDocument.Parse(body.Utf8.ToArray());
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("name", out _))
        {
            throw GatewayException.BadRequest("A key needs a 'name'.", "name", "missing_required_parameter");
        }

        var secret = KeySecrets.NewSecret();
        var key = KeyBody.Apply(document.RootElement, new VirtualKey
        {
            Id = KeySecrets.NewId(), Name = "", Hash = KeySecrets.Hash(secret), Hint = KeySecrets.Hint(secret), CreatedAt = time.GetUtcNow(),
        });
        await Store.SaveAsync(key, context.RequestAborted);
        ring.Remember(key);
        LogCreated(logger, key.Id, key.Name);
        return TypedResults.Json(new KeyCreated(KeyView.Of(key), secret), KeysJsonContext.Default.KeyCreated, statusCode: 201);
    }

    public async Task<IResult> ListAsync(HttpContext context)
    {
        var keys = await Store.ListAsync(context.RequestAborted);
        return TypedResults.Json(new KeyList([.. keys.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal).Select(KeyView.Of)]),
            KeysJsonContext.Default.KeyList);
    }

    public async Task<IResult> GetAsync(HttpContext context, string id) =>
        TypedResults.Json(KeyView.Of(await Existing(id, context.RequestAborted)), KeysJsonContext.Default.KeyView);

    public async Task<IResult> UpdateAsync(HttpContext context, string id)
    {
        using var body = await Requests.JsonBody.ReadAsync(context.Request, context.RequestAborted);
        using var document = JsonDocument.Parse(body.Utf8.ToArray());
        var key = KeyBody.Apply(document.RootElement, await Existing(id, context.RequestAborted));
        await Store.SaveAsync(key, context.RequestAborted);
        ring.Remember(key);
        LogUpdated(logger, key.Id, key.Name);
        return TypedResults.Json(KeyView.Of(key), KeysJsonContext.Default.KeyView);
    }

    public async Task<IResult> DeleteAsync(HttpContext context, string id)
    {
        var key = await Existing(id, context.RequestAborted);
        await Store.DeleteAsync(id, context.RequestAborted);
        ring.Forget(key);
        LogDeleted(logger, key.Id, key.Name);
        return TypedResults.Json(new KeyDeleted(id), KeysJsonContext.Default.KeyDeleted);
    }

    private async Task<VirtualKey> Existing(string id, CancellationToken cancellationToken) =>
        await Store.GetAsync(id, cancellationToken)
        ?? throw new GatewayException(404, $"No virtual key with id '{id}'.", "invalid_request_error", "id", "key_not_found");

    [LoggerMessage(Level = LogLevel.Information, Message = "Virtual key {Id} ({Name}) created")]
    private static partial void LogCreated(ILogger logger, string id, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Virtual key {Id} ({Name}) changed")]
    private static partial void LogUpdated(ILogger logger, string id, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Virtual key {Id} ({Name}) deleted")]
    private static partial void LogDeleted(ILogger logger, string id, string name);
}

using System.Text.Json.Serialization;

namespace AbstractCore.Api.Auth;

internal sealed record AuthValidation(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("server_auth_enabled")] bool ServerAuthEnabled,
    [property: JsonPropertyName("authenticated")] bool Authenticated);

[JsonSerializable(typeof(AuthValidation))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;

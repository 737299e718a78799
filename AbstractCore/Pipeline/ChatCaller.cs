namespace AbstractCore.Pipeline;

/// <summary>What the host read from the request about its caller, for a <see cref="ChatPlanner"/>.</summary>
/// <param name="ProviderKey">The caller's own provider key (its headers, placeholders dropped), or null.</param>
/// <param name="Authenticated">True only when the request presented the server token.</param>
/// <param name="UserAgent">The <c>User-Agent</c> (the Codex CLI gets Codex's structured calls).</param>
public readonly record struct ChatCaller(string? ProviderKey, bool Authenticated, string? UserAgent);

namespace AbstractCore.Pipeline;

/// <summary>How a planned call reaches its upstream.</summary>
public enum ChatLane
{
    /// <summary>Through the backend's <c>IChatClient</c>, request and answer translated (every protocol).</summary>
    Translating,

    /// <summary>The client's bytes, rewritten in one pass, to an OpenAI-compatible upstream, the answer likewise.</summary>
    Relay,

    /// <summary>The client's own body for a provider of the same protocol (an Anthropic Messages request for Anthropic):
    /// only the model and the gateway's fields change, and the answer passes back as it comes.</summary>
    PassThrough,
}

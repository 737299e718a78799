namespace AbstractCore.InferenceBench;

/// <summary>One way to generate tokens, measured in turns with the others (the timing is the caller's).</summary>
internal interface ITokenPath
{
    /// <summary>One untimed request: warm caches and connections, and check that one chunk carries one token.</summary>
    Task WarmAsync();

    /// <summary><paramref name="streams"/> requests at once; the tokens they generated.</summary>
    Task<long> RunAsync(int streams);
}

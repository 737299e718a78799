using AbstractCore.Api.Keys;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AbstractCore.Api.Spend;

internal static class SpendHandler
{
    /// <summary>
    /// <c>GET /acore/spend</c>. The server token and admin keys see every key's spend; any other key sees its own only,
    /// whatever <c>key_id</c> it asks for. With Redis, every replica's spend (this one's flushed first); Redis away: 503.
    /// </summary>
    public static async Task<JsonHttpResult<SpendList>> ListAsync(HttpContext context, SpendLedger ledger,
        string? key_id, string? model, string? provider, string? from, string? to, string? group_by)
    {
        var query = SpendQuery.Parse(key_id, model, provider, from, to, group_by);
        if (KeyContext.Of(context) is { IsAdmin: false } caller)
        {
            query = query with { KeyId = caller.Id };
        }

        var rows = await ledger.ReadAsync(query.From, query.To, context.RequestAborted);
        return TypedResults.Json(query.Answer(rows), SpendJsonContext.Default.SpendList);
    }
}

using AbstractCore.Api.Auth;
using AbstractCore.Api.Errors;
using AbstractCore.Api.Keys;
using AbstractCore.Api.Keys.Limits;
using AbstractCore.Spend;

namespace AbstractCore.Api.Spend;

/// <summary>
/// Every authenticated request gets a <see cref="RequestBill"/>, and when it ends every line of it is recorded in the
/// <see cref="SpendLedger"/> (under its virtual key, or <c>server</c> for the server token). A virtual key is held to its
/// budget and its limits first, before any upstream is called: an exhausted budget is OpenAI's 429
/// <c>insufficient_quota</c>, a limit its 429 <c>rate_limit_exceeded</c> with <c>Retry-After</c> and the
/// <c>x-ratelimit-*</c> headers. Runs after the auth check, which put the key on the request.
/// </summary>
internal static class Metering
{
    public static void UseMetering(this WebApplication app)
    {
        var prices = app.Services.GetRequiredService<PriceTable>();
        var ledger = app.Services.GetRequiredService<SpendLedger>();
        var limiter = app.Services.GetRequiredService<KeyLimiter>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        var protectDocs = app.Services.GetRequiredService<Hosting.GatewaySettings>().ProtectDocs;
        app.Use((context, next) =>
        {
            if (OpenEndpoints.IsOpen(context, protectDocs))
            {
                return next(context);
            }

            var bill = new RequestBill(prices, context.Response);
            context.Features.Set(bill);
            return KeyContext.Of(context) is { } key
                ? KeyedAsync(context, next, key, bill, ledger, limiter, time)
                : ServerAsync(context, next, bill, ledger, time);
        });
    }

    private static async Task ServerAsync(HttpContext context, RequestDelegate next, RequestBill bill, SpendLedger ledger, TimeProvider time)
    {
        try
        {
            await next(context);
        }
        finally
        {
            Record(bill, SpendEntry.ServerKeyId, null, ledger, time);
        }
    }

    private static async Task KeyedAsync(
        HttpContext context, RequestDelegate next, VirtualKey key, RequestBill bill, SpendLedger ledger, KeyLimiter limiter, TimeProvider time)
    {
        if (key.BudgetUsd is { } budget && ledger.SpentInPeriod(key) >= budget)
        {
            await ErrorResponses.WriteAsync(context, new GatewayException(429,
                $"The key '{key.Name}' has used its budget of {budget} USD for this {PeriodName(key.BudgetPeriod)}. " +
                "Raise budget_usd with PATCH /acore/keys/{id}, or wait for the next period.", "insufficient_quota", code: "insufficient_quota"));
            return;
        }

        // A key without limits is admitted at once, gets no headers, and its end counts nothing (KeyLimiter).
        var admission = await limiter.AdmitAsync(key, context.RequestAborted);
        if (!admission.Admitted)
        {
            await ErrorResponses.WriteAsync(context, admission.ToError());
            return;
        }

        admission.WriteHeaders(context.Response);

        try
        {
            await next(context);
        }
        finally
        {
            limiter.End(key, Record(bill, key.Id, key.Name, ledger, time));
        }
    }

    /// <summary>Each line of the bill in the ledger; returns the tokens they used (for the key's tokens-per-minute).</summary>
    private static long Record(RequestBill bill, string keyId, string? keyName, SpendLedger ledger, TimeProvider time)
    {
        long tokens = 0;
        var lines = bill.Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            ledger.Record(new SpendEntry(keyId, keyName, line.Provider, line.Model, line.Priced, bill.CacheHit, time.GetUtcNow()));
            tokens += line.Priced.Usage.TotalTokens;
        }

        return tokens;
    }

    private static string PeriodName(string? period) => period switch
    {
        BudgetPeriods.Daily => "day",
        BudgetPeriods.Weekly => "week",
        BudgetPeriods.Monthly => "month",
        _ => "key's lifetime",
    };
}

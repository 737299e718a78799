using System.Collections.Concurrent;
using AbstractCore.Api.Keys;
using AbstractCore.Api.Spend;
using AbstractCore.Spend;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Spend;

/// <summary>
/// The gateway with billing switched on by the test, since nothing in the app installs <see cref="RequestBill"/> yet:
/// every request gets a bill (kept under its <see cref="BillHeader"/> for the test to read) and, when it sends
/// <see cref="KeyHeader"/>, a virtual key of that id; job charges land in <see cref="Jobs"/>.
/// </summary>
public sealed class BillingGateway(IReadOnlyDictionary<string, string?> settings) : ConfiguredAppFactory<Program>(settings)
{
    public const string BillHeader = "X-Test-Bill";
    public const string KeyHeader = "X-Test-Key";

    private readonly ConcurrentDictionary<string, RequestBill> _bills = new(StringComparer.Ordinal);

    public JobSpendLog Jobs { get; } = new();

    /// <summary>A client whose requests' bills are kept under <paramref name="bill"/>, sent as <paramref name="key"/> when given.</summary>
    public HttpClient Http(string token, string bill, string? key = null)
    {
        var http = Http(token);
        http.DefaultRequestHeaders.Add(BillHeader, bill);
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add(KeyHeader, key);
        }

        return http;
    }

    /// <summary>The lines charged by the last request sent with <paramref name="bill"/>.</summary>
    internal IReadOnlyList<RequestBill.Line> Lines(string bill) => _bills.TryGetValue(bill, out var b) ? b.Lines : [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter>(new BillFilter(_bills));
            services.AddSingleton<IJobSpend>(Jobs);
        });
    }

    private sealed class BillFilter(ConcurrentDictionary<string, RequestBill> bills) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, inner) =>
            {
                // The gateway's own bill, put on the request after auth: kept once the answer starts.
                if (context.Request.Headers[BillHeader].ToString() is { Length: > 0 } id)
                {
                    context.Response.OnStarting(() =>
                    {
                        bills[id] = RequestBill.Of(context)!;
                        return Task.CompletedTask;
                    });
                }

                if (context.Request.Headers[KeyHeader].ToString() is { Length: > 0 } key)
                {
                    context.Features.Set(new KeyContext(new VirtualKey { Id = key, Name = key }));
                }

                return inner(context);
            });
            next(app);
        };
    }
}

/// <summary>The job charges the Api booked, in order.</summary>
public sealed class JobSpendLog : IJobSpend
{
    private readonly ConcurrentQueue<JobCharge> _charges = new();

    public IReadOnlyList<JobCharge> Charges => [.. _charges];

    public void JobCompleted(string? keyId, string provider, string model, Usage usage) => _charges.Enqueue(new(keyId, provider, model, usage));
}

public sealed record JobCharge(string? KeyId, string Provider, string Model, Usage Usage);

using Yarp.ReverseProxy.Configuration;

// A bare YARP pass-through for bench/run.sh: one route /{**catch-all} to UPSTREAM (e.g. http://127.0.0.1:5000/),
// listening where URLS says (http://127.0.0.1:<port>), logging at Warning, Kestrel and YARP defaults otherwise.
var upstream = Environment.GetEnvironmentVariable("UPSTREAM") ?? throw new InvalidOperationException("UPSTREAM is not set");
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "/{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["upstream"] = new() { Address = upstream } } }]);
var app = builder.Build();
app.MapReverseProxy();
app.Run();

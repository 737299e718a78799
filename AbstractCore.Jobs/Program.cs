using AbstractCore.Jobs;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapServiceHealth();

JobsLog.Transports(app.Logger, JobsTransports.From(app.Configuration));

app.Run();

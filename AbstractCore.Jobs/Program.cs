using AbstractCore.Jobs.Worker;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddJobsWorker();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapServiceHealth();

JobsLog.Transports(app.Logger, JobsTransports.From(app.Configuration));

app.Run();

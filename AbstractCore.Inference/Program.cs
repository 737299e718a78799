using AbstractCore.Inference;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapServiceHealth();

InferenceLog.ModelsDirectory(app.Logger, app.Configuration[InferenceSettings.ModelsDirVariable]);

app.Run();

using AbstractCore.Inference.Hosting;

InferenceApp.Build(args).Run();

using AbstractCore.Configuration.Cli;

return AbstractCoreCli.Run(args, Console.Out, Console.Error);

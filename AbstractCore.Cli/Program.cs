using AbstractCore.Cli;

return AbstractCoreCli.Run(args, Console.Out, Console.Error);

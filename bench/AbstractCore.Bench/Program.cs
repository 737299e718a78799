using AbstractCore.Bench;

// AbstractCore.Bench: the load harness's .NET half (bench/run.sh drives it).
//   upstream                 hosts the TestKit fake OpenAI upstream (record=false), prints its base URL, runs until SIGTERM/SIGINT
//   free-port                prints a free loopback TCP port
//   load --url U ...         closed-loop load at one URL, prints one JSON line
//   report --raw DIR ...     turns the raw JSON lines of one run into bench/results/<date>-chat.{md,json}
try
{
    return args.Length == 0 ? Usage() : args[0] switch
    {
        "upstream" => await UpstreamHost.RunAsync(Options.Parse(args.AsSpan(1))),
        "free-port" => FreePort.Print(),
        "load" => await LoadGenerator.RunAsync(LoadSettings.From(Options.Parse(args.AsSpan(1)))),
        "report" => Report.Run(Options.Parse(args.AsSpan(1))),
        _ => Usage(),
    };
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync("error: " + e.Message);
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: AbstractCore.Bench upstream
               AbstractCore.Bench free-port
               AbstractCore.Bench load --url URL [--connections N] [--duration S] [--warmup S] [--stream]
                                       [--model M] [--label L] [--cpu-pids NAME=PID,NAME=PID]
               AbstractCore.Bench report --raw DIR --out PATH_WITHOUT_EXTENSION --machine FILE [--client NAME]
        """);
    return 2;
}

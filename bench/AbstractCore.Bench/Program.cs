using AbstractCore.Bench;

// AbstractCore.Bench: the load harness's .NET half (bench/run.sh drives it).
//   upstream                 hosts the TestKit fake OpenAI upstream (record=false; --count N: N of them), prints its base URL(s), runs until SIGTERM/SIGINT;
//                            with --fail-rate F / --cut-rate C, the bench's failure-injecting fake instead (ChaosUpstream)
//   anthropic-upstream       hosts the TestKit fake Anthropic upstream (record=false), prints its root URL, runs until SIGTERM/SIGINT
//   free-port                prints a free loopback TCP port
//   load --url U ...         closed-loop load at one URL, prints one JSON line
//   report --raw DIR ...     turns the raw JSON lines of one run into bench/results/<date>-chat.{md,json}
//   drip-upstream            a slow-drip fake upstream (one SSE chunk every --interval-ms), prints its base URL
//   hold --url U ...         many long streams held open at once, memory of watched processes, prints one JSON line
//   readme --dir DIR ...     the README's Performance section and its SVG chart from one bench/report.sh run
//   chaos --url U ...        closed-loop load that checks every answer (streamed and not), prints one JSON line of outcomes
try
{
    return args.Length == 0 ? Usage() : args[0] switch
    {
        "upstream" when ChaosUpstream.Wanted(Options.Parse(args.AsSpan(1))) => await ChaosUpstream.RunAsync(Options.Parse(args.AsSpan(1))),
        "upstream" => await UpstreamHost.RunAsync(Options.Parse(args.AsSpan(1))),
        "anthropic-upstream" => await UpstreamHost.RunAnthropicAsync(Options.Parse(args.AsSpan(1))),
        "free-port" => FreePort.Print(),
        "load" => await LoadGenerator.RunAsync(LoadSettings.From(Options.Parse(args.AsSpan(1)))),
        "report" => Report.Run(Options.Parse(args.AsSpan(1))),
        "drip-upstream" => await DripUpstream.RunAsync(Options.Parse(args.AsSpan(1))),
        "hold" => await HoldClients.RunAsync(HoldSettings.From(Options.Parse(args.AsSpan(1)))),
        "readme" => ReadmeReport.Run(Options.Parse(args.AsSpan(1))),
        "chaos" => await ChaosClient.RunAsync(Options.Parse(args.AsSpan(1))),
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
        usage: AbstractCore.Bench upstream [--count N | --fail-rate F --cut-rate C [--cut-after K] [--port P]]
               AbstractCore.Bench anthropic-upstream
               AbstractCore.Bench free-port
               AbstractCore.Bench load --url URL [--connections N] [--duration S] [--warmup S] [--stream]
                                       [--model M] [--label L] [--cpu-pids NAME=PID,NAME=PID]
               AbstractCore.Bench report --raw DIR --out PATH_WITHOUT_EXTENSION --machine FILE [--client NAME]
               AbstractCore.Bench drip-upstream [--interval-ms MS]
               AbstractCore.Bench hold --url URL [--clients N] [--chunks K] [--interval-ms MS] [--ramp S] [--settle S]
                                       [--warm N] [--label L] [--watch NAME=PID[:GC_FILE],...]
               AbstractCore.Bench readme --dir RUN_DIR --readme README.md --svg CHART.svg [--trial]
               AbstractCore.Bench chaos --url URL [--model M] [--connections N] [--duration S] [--stream-share 0.5]
                                        [--expect TEXT] [--timeout S] [--samples N] [--label L] [--cpu-pids NAME=PID,...]
        """);
    return 2;
}

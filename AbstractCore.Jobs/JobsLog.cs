namespace AbstractCore.Jobs.Worker;

internal static partial class JobsLog
{
    public static void Transports(ILogger logger, JobsTransports transports) =>
        TransportsChosen(logger, transports.Store, transports.Messaging);

    [LoggerMessage(1, LogLevel.Information, "Job store: {Store}; message transport: {Messaging}")]
    private static partial void TransportsChosen(ILogger logger, string store, string messaging);
}

using Microsoft.Extensions.Configuration;

namespace AbstractCore.AppHost.Infrastructure;

/// <summary>The server programs executable mode runs, resolved on PATH; <c>null</c> when not installed.</summary>
internal sealed record LocalServers(string? Redis, string? RabbitMq, string? Epmd)
{
    public bool AllFound => Redis is not null && RabbitMq is not null && Epmd is not null;

    public static LocalServers Find(IConfiguration configuration) => new(
        Resolve(configuration[InfraNames.RedisServerKey] ?? InfraNames.DefaultRedisServer),
        Resolve(configuration[InfraNames.RabbitMqServerKey] ?? InfraNames.DefaultRabbitMqServer),
        Resolve(configuration[InfraNames.EpmdKey] ?? InfraNames.DefaultEpmd));

    public string Describe() =>
        $"redis-server: {Redis ?? "not found"}, rabbitmq-server: {RabbitMq ?? "not found"}, epmd: {Epmd ?? "not found"}";

    private static string? Resolve(string program)
    {
        if (Path.IsPathRooted(program) || program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }
}

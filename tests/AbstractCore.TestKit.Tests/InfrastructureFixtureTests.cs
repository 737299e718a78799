using System.Net.Sockets;
using System.Text;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace AbstractCore.TestKit.Tests;

public sealed class RedisServerFixtureTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task Set_then_get_round_trips_through_the_private_server()
    {
        Assert.StartsWith("127.0.0.1:", redis.ConnectionString, StringComparison.Ordinal);
        Assert.NotEqual(6379, redis.Port);

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();
        var key = "acore:testkit:" + Guid.NewGuid().ToString("N");

        Assert.True(await db.StringSetAsync(key, "value-42", TimeSpan.FromMinutes(1)));
        Assert.Equal("value-42", (string?)await db.StringGetAsync(key));
        Assert.Equal(1L, await db.StringIncrementAsync(key + ":n"));
    }

    [Fact]
    public async Task Dispose_stops_the_server()
    {
        var own = new RedisServerFixture();
        await own.InitializeAsync();
        Assert.True(await CanConnectAsync(own.Port));

        await own.DisposeAsync();

        Assert.False(await CanConnectAsync(own.Port));
    }

    internal static async Task<bool> CanConnectAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

public sealed class RabbitMqServerFixtureTests
{
    [Fact]
    public async Task Queue_publish_and_basic_get_round_trip_then_dispose_stops_the_node()
    {
        var rabbit = new RabbitMqServerFixture();
        await rabbit.InitializeAsync();
        try
        {
            Assert.Equal($"amqp://guest:guest@127.0.0.1:{rabbit.Port}/", rabbit.ConnectionString);

            var factory = new ConnectionFactory { Uri = new Uri(rabbit.ConnectionString) };
            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                var queue = await channel.QueueDeclareAsync("acore-testkit-" + Guid.NewGuid().ToString("N"), durable: false, exclusive: false, autoDelete: false);
                var props = new BasicProperties { ContentType = "text/plain", MessageId = "m-1" };
                await channel.BasicPublishAsync(exchange: "", routingKey: queue.QueueName, mandatory: true, basicProperties: props, body: Encoding.UTF8.GetBytes("hello rabbit"));

                BasicGetResult? got = null;
                for (var i = 0; i < 50 && got is null; i++)
                {
                    got = await channel.BasicGetAsync(queue.QueueName, autoAck: true);
                    if (got is null)
                    {
                        await Task.Delay(20);
                    }
                }

                Assert.NotNull(got);
                Assert.Equal("hello rabbit", Encoding.UTF8.GetString(got.Body.Span));
                Assert.Equal("m-1", got.BasicProperties.MessageId);
                Assert.Null(await channel.BasicGetAsync(queue.QueueName, autoAck: true));
            }
        }
        finally
        {
            await rabbit.DisposeAsync();
        }

        Assert.False(await RedisServerFixtureTests.CanConnectAsync(rabbit.Port));
    }
}

namespace Promotion.TestSupport;

/// <summary>
/// Connection strings of the real servers, from the environment that infra/test.sh sets from
/// infra/up.sh. A test that needs a server fails (never skips) when its variable is missing or
/// the server does not answer.
/// </summary>
public static class TestServers
{
    public static string Postgres => Require("ConnectionStrings__Postgres");

    public static string Redis => Require("ConnectionStrings__Redis");

    public static string RabbitMq => Require("ConnectionStrings__RabbitMq");

    public static Uri RabbitMqManagement => new(Require("PROMOTION_RABBITMQ_MANAGEMENT"));

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Run the tests with infra/test.sh: it starts PostgreSQL, Redis and RabbitMQ on 127.0.0.1 and exports their connection strings.");
}

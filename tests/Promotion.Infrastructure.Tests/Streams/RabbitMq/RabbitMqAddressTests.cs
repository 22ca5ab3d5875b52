using Promotion.Infrastructure.Streams.RabbitMq;

namespace Promotion.Infrastructure.Tests.Streams.RabbitMq;

public class RabbitMqAddressTests
{
    [Fact]
    public void Parses_user_password_host_port_and_vhost()
    {
        var a = RabbitMqAddress.Parse("amqp://promo:p%40ss@127.0.0.1:5673/promotion");
        Assert.Equal(("127.0.0.1", (ushort)5673, "promotion", "promo", "p@ss"), (a.Host, a.Port, a.VirtualHost, a.Username, a.Password));
    }

    [Fact]
    public void Defaults_to_port_5672_and_the_root_vhost() =>
        Assert.Equal(((ushort)5672, "/"), (RabbitMqAddress.Parse("amqp://u:p@localhost").Port, RabbitMqAddress.Parse("amqp://u:p@localhost/").VirtualHost));

    [Theory]
    [InlineData("localhost:5672")]
    [InlineData("http://localhost")]
    public void Refuses_what_is_not_an_amqp_uri(string text) => Assert.Throws<FormatException>(() => RabbitMqAddress.Parse(text));
}

using Npgsql;

namespace Promotion.Benchmarks;

/// <summary>
/// Reads the bench makes while it waits (campaign status, coupon counts) ride out a short outage:
/// the servers are shared, and other engineers' resilience tests restart them.
/// </summary>
public static class Transient
{
    public static async Task<T> RetryAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken, int attempts = 30)
    {
        ArgumentNullException.ThrowIfNull(read);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception ex) when (attempt < attempts && ex is NpgsqlException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public static T Retry<T>(Func<T> read, int attempts = 30)
    {
        ArgumentNullException.ThrowIfNull(read);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return read();
            }
            catch (NpgsqlException) when (attempt < attempts)
            {
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
        }
    }
}

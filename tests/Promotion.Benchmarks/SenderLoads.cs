using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using Promotion.TestSupport;

namespace Promotion.Benchmarks;

/// <summary>What a reference load measured against the receiver.</summary>
public sealed record LoadRun(long Calls, double WallSeconds, long Duplicates, long Misses)
{
    public double PerSecond => Calls / WallSeconds;
}

/// <summary>
/// The two references of the push scenario, both posting the engine's webhook body to the same
/// kind of receiver: the ceiling (a bare HttpClient with as many calls in flight as the engine's
/// window, no engine, no database) and the classic design of the source article (a fixed pool
/// of threads, each reading the next member from keyset pages and sending it with a blocking call).
/// </summary>
public static class SenderLoads
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    /// <summary><paramref name="calls"/> POSTs with <paramref name="inFlight"/> in flight at all times; the calls answered so far go to <paramref name="progress"/>.</summary>
    public static async Task<LoadRun> CeilingAsync(WebhookReceiver receiver, long calls, int inFlight, IProgress<long> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(progress);
        var campaign = Guid.NewGuid();
        using var http = new HttpClient(Handler()) { Timeout = TimeSpan.FromMinutes(2) };
        var url = new Uri(receiver.Url);
        var next = 0L;
        var done = 0L;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, (int)Math.Min(inFlight, calls)).Select(async _ =>
        {
            long i;
            while ((i = Interlocked.Increment(ref next)) <= calls)
            {
                using var request = Request(url, campaign, i);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                progress.Report(Interlocked.Increment(ref done));
            }
        });
        await Task.WhenAll(workers);
        var wall = clock.Elapsed.TotalSeconds;
        return new LoadRun(calls, wall, receiver.Received.Count(kv => kv.Value > 1), calls - receiver.Received.Count);
    }

    /// <summary>
    /// <paramref name="threads"/> threads, each taking the next member (keyset pages of 1,000 from
    /// the members table, read synchronously under a lock) and sending it with a blocking
    /// <see cref="HttpClient.Send(HttpRequestMessage)"/>, until <paramref name="members"/> are sent;
    /// the count sent so far goes to <paramref name="progress"/> (twice a second).
    /// </summary>
    public static LoadRun ThreadPool(WebhookReceiver receiver, string postgres, long members, int threads, IProgress<long> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(progress);
        var campaign = Guid.NewGuid();
        using var http = new HttpClient(Handler()) { Timeout = TimeSpan.FromMinutes(2) };
        var url = new Uri(receiver.Url);
        using var reader = new KeysetReader(postgres, members);
        var sent = 0L;
        var clock = Stopwatch.StartNew();
        Exception? failure = null;
        var pool = Enumerable.Range(0, threads).Select(n => new Thread(() =>
        {
            try
            {
                while (!cancellationToken.IsCancellationRequested && Volatile.Read(ref failure) is null && reader.Next() is { } id)
                {
                    using var request = Request(url, campaign, id);
                    using var response = http.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                    response.EnsureSuccessStatusCode();
                    Interlocked.Increment(ref sent);
                }
            }
            catch (Exception ex)
            {
                // Ends the run with this error instead of crashing the process from a raw thread.
                Interlocked.CompareExchange(ref failure, ex, null);
            }
        })
        { IsBackground = true, Name = "baseline-sender-" + n }).ToList();
        pool.ForEach(t => t.Start());
        while (pool.Any(t => t.IsAlive))
        {
            pool.First(t => t.IsAlive).Join(500);
            progress.Report(Interlocked.Read(ref sent));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            throw new InvalidOperationException("the baseline's sender threads failed: " + failure.Message, failure);
        }

        var wall = clock.Elapsed.TotalSeconds;
        return new LoadRun(sent, wall, receiver.Received.Count(kv => kv.Value > 1), members - receiver.Received.Count);
    }

    // The engine's webhook client settings (Senders/SendersServiceCollectionExtensions): one pool, no per-server connection cap.
    private static SocketsHttpHandler Handler() => new()
    {
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = TimeSpan.FromMinutes(3),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    };

    // The engine's webhook body and Idempotency-Key header (design.md section 5).
    private static HttpRequestMessage Request(Uri url, Guid campaign, long memberId)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{campaign}:{memberId}:inbox");
        var body = string.Create(CultureInfo.InvariantCulture,
            $$"""{"campaignId":"{{campaign}}","memberId":{{memberId}},"channel":"inbox","title":"Benchmark","body":"A push to every member","idempotencyKey":"{{key}}"}""");
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    /// <summary>Member ids in keyset pages (<c>id &gt; cursor ORDER BY id LIMIT 1000</c>), handed out one at a time under a lock.</summary>
    private sealed class KeysetReader(string postgres, long limit) : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly Queue<long> _page = new();
        private readonly NpgsqlConnection _connection = new(postgres);
        private long _cursor;
        private long _handedOut;

        public long? Next()
        {
            lock (_gate)
            {
                if (_handedOut >= limit)
                {
                    return null;
                }

                if (_page.Count == 0)
                {
                    Transient.Retry(ReadPage);
                    if (_page.Count == 0)
                    {
                        return null;
                    }
                }

                _handedOut++;
                return _page.Dequeue();
            }
        }

        public void Dispose() => _connection.Dispose();

        // The same columns the engine reads for a member, synchronously, as the classic design did.
        private bool ReadPage()
        {
            if (_connection.State != System.Data.ConnectionState.Open)
            {
                // Closed by a failure: reopened, and the page read again from the same cursor.
                _connection.Close();
                _connection.Open();
            }

            using var cmd = new NpgsqlCommand("SELECT id, segments, email, phone, app_token FROM members WHERE id > $1 ORDER BY id LIMIT 1000", _connection);
            cmd.Parameters.AddWithValue(_cursor);
            var ids = new List<long>(1000);
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    ids.Add(reader.GetInt64(0));
                }
            }

            // Handed out only once the whole page is read, so a page read again after a failure adds nothing twice.
            ids.ForEach(_page.Enqueue);
            _cursor = ids.Count > 0 ? ids[^1] : _cursor;
            return true;
        }
    }
}

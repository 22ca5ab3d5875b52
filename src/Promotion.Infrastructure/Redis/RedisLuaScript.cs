using StackExchange.Redis;

namespace Promotion.Infrastructure.Redis;

/// <summary>
/// A Lua script shipped as an embedded resource (<c>Redis/Scripts/{name}.lua</c>), loaded into
/// Redis once (SCRIPT LOAD) and run by its SHA (EVALSHA), so each call sends the hash instead of
/// the script. After Redis lost its script cache (restart, SCRIPT FLUSH) the first call meets
/// NOSCRIPT, loads the script again (once, however many calls are in flight) and retries.
/// </summary>
internal sealed class RedisLuaScript
{
    private readonly Lock _gate = new();
    private Task<byte[]>? _sha;

    private RedisLuaScript(string name, string text)
    {
        Name = name;
        Text = text;
    }

    /// <summary>The script's resource name.</summary>
    public string Name { get; }

    /// <summary>The Lua source.</summary>
    public string Text { get; }

    /// <summary>Reads <c>Redis/Scripts/{name}.lua</c> from this assembly.</summary>
    public static RedisLuaScript FromResource(string name)
    {
        var assembly = typeof(RedisLuaScript).Assembly;
        using var stream = assembly.GetManifestResourceStream($"Promotion.Infrastructure.Redis.Scripts.{name}.lua")
            ?? throw new InvalidOperationException($"the Lua script {name}.lua is not embedded");
        using var reader = new StreamReader(stream);
        return new RedisLuaScript(name, reader.ReadToEnd());
    }

    /// <summary>Runs the script with <paramref name="keys"/> and <paramref name="args"/>.</summary>
    public async Task<RedisResult> EvaluateAsync(IConnectionMultiplexer redis, RedisKey[] keys, RedisValue[] args)
    {
        for (var attempt = 0; ; attempt++)
        {
            var loading = Load(redis);
            var sha = await loading;
            try
            {
                return await redis.GetDatabase().ScriptEvaluateAsync(sha, keys, args);
            }
            catch (RedisServerException ex) when (attempt == 0 && ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                Forget(loading);
            }
        }
    }

    private Task<byte[]> Load(IConnectionMultiplexer redis)
    {
        lock (_gate)
        {
            if (_sha is null || _sha.IsFaulted || _sha.IsCanceled)
            {
                _sha = LoadAsync(redis);
            }

            return _sha;
        }
    }

    private void Forget(Task<byte[]> stale)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_sha, stale))
            {
                _sha = null;
            }
        }
    }

    private async Task<byte[]> LoadAsync(IConnectionMultiplexer redis)
    {
        // Scripts are loaded on the primary, where EVALSHA runs.
        var endpoints = redis.GetEndPoints();
        var server = endpoints.Select(e => redis.GetServer(e)).FirstOrDefault(s => s.IsConnected && !s.IsReplica)
            ?? redis.GetServer(endpoints[0]);
        return await server.ScriptLoadAsync(Text);
    }
}

using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace SignalrHub;

/// <summary>
/// Who is in which /hubs/room room. One hub process keeps it in memory; with the Redis backplane
/// (RTC_SIGNALR_REDIS) every instance shares it in Redis, so a peer joined on one instance is
/// listed, signaled and announced on the others. SignalR's backplane carries the messages
/// (Clients.Client, groups) between instances; it keeps no application state, which is why the
/// roster needs this.
/// </summary>
public interface IRoomDirectory
{
    /// Adds the connection; returns the others in the room, or the room it is already in.
    Task<(Peer[] Others, string? AlreadyIn)> Join(string connectionId, string room, string name);
    Task<(string Room, string Name)?> Find(string connectionId);
    Task<Peer[]> Members(string room);
    /// Removes the connection; returns where it was, or null if it was not joined.
    Task<(string Room, string Name)?> Remove(string connectionId);
}

public sealed class MemoryRoomDirectory : IRoomDirectory
{
    private readonly Dictionary<string, (string Room, string Name)> members = new();
    private readonly object gate = new();

    public Task<(Peer[] Others, string? AlreadyIn)> Join(string connectionId, string room, string name)
    {
        lock (gate)
        {
            if (members.TryGetValue(connectionId, out var current))
                return Task.FromResult<(Peer[], string?)>(([], current.Room));
            var others = members.Where(m => m.Value.Room == room).Select(m => new Peer(m.Key, m.Value.Name)).ToArray();
            members[connectionId] = (room, name);
            return Task.FromResult<(Peer[], string?)>((others, null));
        }
    }

    public Task<(string Room, string Name)?> Find(string connectionId)
    {
        lock (gate)
            return Task.FromResult<(string, string)?>(members.TryGetValue(connectionId, out var m) ? m : null);
    }

    public Task<Peer[]> Members(string room)
    {
        lock (gate)
            return Task.FromResult(members.Where(m => m.Value.Room == room).Select(m => new Peer(m.Key, m.Value.Name)).ToArray());
    }

    public Task<(string Room, string Name)?> Remove(string connectionId)
    {
        lock (gate)
            return Task.FromResult<(string, string)?>(members.Remove(connectionId, out var m) ? m : null);
    }
}

/// <summary>
/// Keys: rtc-hub:c:&lt;connectionId&gt; (hash room, name), rtc-hub:r:&lt;room&gt; (hash
/// connectionId -> name), rtc-hub:ic:&lt;instance&gt; (the connections an instance holds). A join is
/// one Lua script, so two instances cannot both admit one connection. An instance that dies never
/// runs OnDisconnectedAsync for its connections: HubReaper notices its heartbeat is gone and
/// removes them, announcing PeerLeft to their rooms.
/// </summary>
public sealed class RedisRoomDirectory(IConnectionMultiplexer redis) : IRoomDirectory
{
    public const string Prefix = "rtc-hub:";
    /// This process, in the heartbeat and connection-set keys.
    public readonly string Instance = Guid.NewGuid().ToString("N");

    private static readonly LuaScript JoinScript = LuaScript.Prepare(@"
local c = @prefix .. 'c:' .. @id
local current = redis.call('HGET', c, 'room')
if current then return {'in', current} end
local all = redis.call('HGETALL', @prefix .. 'r:' .. @room)
redis.call('HSET', @prefix .. 'r:' .. @room, @id, @name)
redis.call('HSET', c, 'room', @room, 'name', @name)
redis.call('SADD', @prefix .. 'ic:' .. @inst, @id)
local reply = {'ok', ''}
for _, v in ipairs(all) do reply[#reply + 1] = v end
return reply");

    private static readonly LuaScript RemoveScript = LuaScript.Prepare(@"
local c = @prefix .. 'c:' .. @id
local p = redis.call('HMGET', c, 'room', 'name')
if not p[1] then return false end
redis.call('HDEL', @prefix .. 'r:' .. p[1], @id)
redis.call('DEL', c)
redis.call('SREM', @prefix .. 'ic:' .. @inst, @id)
return p");

    // Whoever removes a dead instance from the set reaps its connections: {id, room, id, room, ...}.
    public const string ReapSource = @"
if redis.call('EXISTS', @prefix .. 'hb:' .. @inst) == 1 then return {} end
if redis.call('SREM', @prefix .. 'instances', @inst) == 0 then return {} end
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', @prefix .. 'ic:' .. @inst)) do
  local c = @prefix .. 'c:' .. id
  local room = redis.call('HGET', c, 'room')
  if room then
    redis.call('HDEL', @prefix .. 'r:' .. room, id)
    redis.call('DEL', c)
    out[#out + 1] = id
    out[#out + 1] = room
  end
end
redis.call('DEL', @prefix .. 'ic:' .. @inst)
return out";

    private IDatabase Db => redis.GetDatabase();

    public async Task<(Peer[] Others, string? AlreadyIn)> Join(string connectionId, string room, string name)
    {
        var reply = (RedisResult[])(await Db.ScriptEvaluateAsync(JoinScript, new { prefix = Prefix, inst = Instance, id = connectionId, room, name }))!;
        if ((string?)reply[0] == "in") return ([], (string?)reply[1]);
        var others = new List<Peer>();
        for (var i = 2; i + 1 < reply.Length; i += 2) others.Add(new Peer((string)reply[i]!, (string)reply[i + 1]!));
        return (others.ToArray(), null);
    }

    public async Task<(string Room, string Name)?> Find(string connectionId)
    {
        var p = await Db.HashGetAsync(Prefix + "c:" + connectionId, ["room", "name"]);
        return p[0].IsNull ? null : ((string)p[0]!, (string)p[1]!);
    }

    public async Task<Peer[]> Members(string room)
    {
        var all = await Db.HashGetAllAsync(Prefix + "r:" + room);
        return all.Select(e => new Peer((string)e.Name!, (string)e.Value!)).ToArray();
    }

    public async Task<(string Room, string Name)?> Remove(string connectionId)
    {
        var result = await Db.ScriptEvaluateAsync(RemoveScript, new { prefix = Prefix, inst = Instance, id = connectionId });
        if (result.IsNull) return null;
        var p = (RedisResult[])result!;
        return ((string)p[0]!, (string)p[1]!);
    }
}

/// <summary>
/// Scale-out liveness for /hubs/room: this instance beats every second (a 3 s key); any instance
/// that finds another's beat gone removes that instance's connections from their rooms and tells
/// the rooms PeerLeft, as OnDisconnectedAsync would have.
/// </summary>
public sealed class HubReaper(IConnectionMultiplexer redis, RedisRoomDirectory directory,
    IHubContext<RoomHub> hub, ILogger<HubReaper> log) : BackgroundService
{
    private const string Prefix = RedisRoomDirectory.Prefix;

    private static readonly LuaScript ReapScript = LuaScript.Prepare(RedisRoomDirectory.ReapSource);

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                var db = redis.GetDatabase();
                await db.StringSetAsync(Prefix + "hb:" + directory.Instance, "1", TimeSpan.FromSeconds(3));
                await db.SetAddAsync(Prefix + "instances", directory.Instance);
                foreach (var other in await db.SetMembersAsync(Prefix + "instances"))
                {
                    if ((string?)other == directory.Instance) continue;
                    var reaped = (RedisResult[])(await db.ScriptEvaluateAsync(ReapScript, new { prefix = Prefix, inst = (string)other! }))!;
                    for (var i = 0; i + 1 < reaped.Length; i += 2)
                        await hub.Clients.Group((string)reaped[i + 1]!).SendAsync("PeerLeft", (string)reaped[i]!, stopping);
                    if (reaped.Length > 0)
                        log.LogWarning("instance {Instance} stopped beating: {Count} connections removed", (string?)other, reaped.Length / 2);
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Redis away: the next tick tries again.
            }
        } while (await timer.WaitForNextTickAsync(stopping));
    }
}

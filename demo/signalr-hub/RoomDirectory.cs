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
/// Keys: rtc-hub:c:&lt;connectionId&gt; (hash room, name) and rtc-hub:r:&lt;room&gt; (hash
/// connectionId -> name). A join is one Lua script, so two instances cannot both admit one
/// connection. Connections of an instance that dies without OnDisconnectedAsync stay listed:
/// SignalR gives no hook for another instance's connections, so the demo hub does not reap them.
/// </summary>
public sealed class RedisRoomDirectory(IConnectionMultiplexer redis) : IRoomDirectory
{
    private const string Prefix = "rtc-hub:";

    private static readonly LuaScript JoinScript = LuaScript.Prepare(@"
local c = @prefix .. 'c:' .. @id
local current = redis.call('HGET', c, 'room')
if current then return {'in', current} end
local all = redis.call('HGETALL', @prefix .. 'r:' .. @room)
redis.call('HSET', @prefix .. 'r:' .. @room, @id, @name)
redis.call('HSET', c, 'room', @room, 'name', @name)
local reply = {'ok', ''}
for _, v in ipairs(all) do reply[#reply + 1] = v end
return reply");

    private static readonly LuaScript RemoveScript = LuaScript.Prepare(@"
local c = @prefix .. 'c:' .. @id
local p = redis.call('HMGET', c, 'room', 'name')
if not p[1] then return false end
redis.call('HDEL', @prefix .. 'r:' .. p[1], @id)
redis.call('DEL', c)
return p");

    private IDatabase Db => redis.GetDatabase();

    public async Task<(Peer[] Others, string? AlreadyIn)> Join(string connectionId, string room, string name)
    {
        var reply = (RedisResult[])(await Db.ScriptEvaluateAsync(JoinScript, new { prefix = Prefix, id = connectionId, room, name }))!;
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
        var result = await Db.ScriptEvaluateAsync(RemoveScript, new { prefix = Prefix, id = connectionId });
        if (result.IsNull) return null;
        var p = (RedisResult[])result!;
        return ((string)p[0]!, (string)p[1]!);
    }
}

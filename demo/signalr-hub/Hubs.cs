using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR;

namespace SignalrHub;

static partial class Checks
{
    public const int MaxNameLength = 64;
    public const int MaxSignalLength = 64 * 1024;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex RoomPattern();

    public static void Room(string? room)
    {
        if (room is null || !RoomPattern().IsMatch(room))
            throw new HubException("Room name must be 1-64 characters: letters, digits, '-' or '_'.");
    }

    public static void Name(string? name, string what = "Name")
    {
        if (name is null || name.Length > MaxNameLength)
            throw new HubException($"{what} must be a string of at most {MaxNameLength} characters.");
    }

    /// Signals are opaque to the hub, but they must at least be a bounded JSON object.
    public static void JsonObject(string? json, string what)
    {
        if (json is null || json.Length > MaxSignalLength)
            throw new HubException($"{what} must be a JSON string of at most {MaxSignalLength} characters.");
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new HubException($"{what} must be a JSON object.");
        }
        catch (JsonException)
        {
            throw new HubException($"{what} is not valid JSON.");
        }
    }
}

// ---------------------------------------------------------------- room (the SDK's default contract)

public record Peer(string Id, string Name);

public sealed class RoomState
{
    public readonly ConcurrentDictionary<string, (string Room, string Name)> Members = new();
    public readonly object Lock = new();
}

/// <summary>
/// Join(room, name) -> caller: Welcome(selfId, peers[]), others: PeerJoined(peer).
/// Signal(toId, payloadJson) -> target: Signal(fromId, payloadJson). Leave() / disconnect -> others: PeerLeft(id).
/// </summary>
public sealed class RoomHub(RoomState state) : Hub
{
    public async Task Join(string room, string name)
    {
        Checks.Room(room);
        Checks.Name(name);
        if (!Hs256Validator.Grants(Context.User, room))
            throw new HubException($"The access token does not grant room '{room}'.");
        Peer[] peers;
        lock (state.Lock)
        {
            if (state.Members.TryGetValue(Context.ConnectionId, out var current))
                throw new HubException($"Already joined room '{current.Room}'.");
            peers = state.Members.Where(m => m.Value.Room == room).Select(m => new Peer(m.Key, m.Value.Name)).ToArray();
            state.Members[Context.ConnectionId] = (room, name);
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, room);
        await Clients.Caller.SendAsync("Welcome", Context.ConnectionId, peers);
        await Clients.OthersInGroup(room).SendAsync("PeerJoined", new Peer(Context.ConnectionId, name));
    }

    public async Task Signal(string toId, string payloadJson)
    {
        if (!state.Members.TryGetValue(Context.ConnectionId, out var me))
            throw new HubException("Join a room before signaling.");
        if (toId is null || !state.Members.TryGetValue(toId, out var target) || target.Room != me.Room)
            throw new HubException($"No peer '{toId}' in room '{me.Room}'.");
        Checks.JsonObject(payloadJson, "payloadJson");
        await Clients.Client(toId).SendAsync("Signal", Context.ConnectionId, payloadJson);
    }

    public Task Leave() => Depart();

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await Depart();
        await base.OnDisconnectedAsync(exception);
    }

    private async Task Depart()
    {
        if (!state.Members.TryRemove(Context.ConnectionId, out var me)) return;
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, me.Room);
        await Clients.Group(me.Room).SendAsync("PeerLeft", Context.ConnectionId);
    }
}

// ---------------------------------------------------------------- signalrtc (Angular + simple-peer tutorial)

public sealed class SignalrtcState
{
    public readonly ConcurrentDictionary<string, string> Users = new();
}

/// <summary>
/// The tutorial hub: NewUser / HelloUser / SendSignal / UserDisconnect, user info as JSON strings,
/// simple-peer signals relayed untouched.
/// </summary>
public sealed class SignalrtcHub(SignalrtcState state) : Hub
{
    public async Task NewUser(string userName)
    {
        Checks.Name(userName, "userName");
        state.Users[Context.ConnectionId] = userName;
        var info = JsonSerializer.Serialize(new { userName, connectionId = Context.ConnectionId });
        await Clients.Others.SendAsync("NewUserArrived", info);
    }

    public async Task HelloUser(string userName, string user)
    {
        Checks.Name(userName, "userName");
        if (user is null || !state.Users.ContainsKey(user))
            throw new HubException($"No user with connection id '{user}'.");
        var info = JsonSerializer.Serialize(new { userName, connectionId = Context.ConnectionId });
        await Clients.Client(user).SendAsync("UserSaidHello", info);
    }

    public async Task SendSignal(string signal, string user)
    {
        Checks.JsonObject(signal, "signal");
        if (user is null || !state.Users.ContainsKey(user))
            throw new HubException($"No user with connection id '{user}'.");
        await Clients.Client(user).SendAsync("SendSignal", Context.ConnectionId, signal);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        state.Users.TryRemove(Context.ConnectionId, out _);
        await Clients.All.SendAsync("UserDisconnect", Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }
}

// ---------------------------------------------------------------- codelab (two-person rooms)

public sealed class CodelabState
{
    public readonly Dictionary<string, List<string>> Rooms = new();
    public readonly object Lock = new();
}

/// <summary>
/// CreateOrJoinRoom(room) -> created | joined (+ join to the other member) | full.
/// SendMessage(room, message) -> the other member: message(message). LeaveRoom(room).
/// </summary>
public sealed class CodelabHub(CodelabState state) : Hub
{
    public async Task CreateOrJoinRoom(string room)
    {
        Checks.Room(room);
        int before;
        lock (state.Lock)
        {
            if (!state.Rooms.TryGetValue(room, out var members))
                state.Rooms[room] = members = new List<string>();
            if (members.Contains(Context.ConnectionId))
                throw new HubException($"Already in room '{room}'.");
            before = members.Count;
            if (before < 2) members.Add(Context.ConnectionId);
        }
        if (before >= 2)
        {
            await Clients.Caller.SendAsync("full", room);
            return;
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, room);
        if (before == 0)
        {
            await Clients.Caller.SendAsync("created", room);
        }
        else
        {
            await Clients.Caller.SendAsync("joined", room);
            await Clients.OthersInGroup(room).SendAsync("join", room);
        }
    }

    public async Task SendMessage(string room, JsonElement message)
    {
        lock (state.Lock)
        {
            if (room is null || !state.Rooms.TryGetValue(room, out var members) || !members.Contains(Context.ConnectionId))
                throw new HubException($"Not a member of room '{room}'.");
        }
        if (message.ValueKind is not (JsonValueKind.Object or JsonValueKind.String))
            throw new HubException("message must be an object or a string.");
        await Clients.OthersInGroup(room).SendAsync("message", message);
    }

    public async Task LeaveRoom(string room)
    {
        if (Remove(room)) await Groups.RemoveFromGroupAsync(Context.ConnectionId, room);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        List<string> rooms;
        lock (state.Lock)
            rooms = state.Rooms.Where(r => r.Value.Contains(Context.ConnectionId)).Select(r => r.Key).ToList();
        foreach (var room in rooms)
        {
            Remove(room);
            await Clients.Group(room).SendAsync("message", "bye");
        }
        await base.OnDisconnectedAsync(exception);
    }

    private bool Remove(string room)
    {
        lock (state.Lock)
        {
            if (room is null || !state.Rooms.TryGetValue(room, out var members) || !members.Remove(Context.ConnectionId))
                return false;
            if (members.Count == 0) state.Rooms.Remove(room);
            return true;
        }
    }
}

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

public sealed class RoomState(int maxConnectionsPerUser, IRoomDirectory directory)
{
    /// Room membership: in memory, or in Redis when instances share the backplane.
    public readonly IRoomDirectory Directory = directory;
    public readonly object Lock = new();
    /// One token must not be able to hold the hub's connections: past this many per user
    /// (the token's `sub`), a new connection is refused. Counted per instance.
    public readonly int MaxConnectionsPerUser = maxConnectionsPerUser;
    public readonly Dictionary<string, int> ConnectionsPerUser = new();
}

/// <summary>
/// Join(room, name) -> caller: Welcome(selfId, peers[]), others: PeerJoined(peer).
/// Signal(toId, payloadJson) -> target: Signal(fromId, payloadJson). Leave() / disconnect -> others: PeerLeft(id).
/// Members() returns the caller's room. A user (the token's `sub`) holds at most RoomState.MaxConnectionsPerUser connections: one more
/// is refused in OnConnectedAsync, which SignalR answers with a Close message that does not allow
/// reconnecting.
/// </summary>
public sealed class RoomHub(RoomState state) : Hub
{
    private string UserKey => Context.UserIdentifier ?? "";

    public override async Task OnConnectedAsync()
    {
        lock (state.Lock)
        {
            state.ConnectionsPerUser.TryGetValue(UserKey, out var held);
            if (held >= state.MaxConnectionsPerUser)
                throw new HubException($"User '{UserKey}' already holds {held} connections, the most this hub allows.");
            state.ConnectionsPerUser[UserKey] = held + 1;
        }
        await base.OnConnectedAsync();
    }

    public async Task Join(string room, string name)
    {
        Checks.Room(room);
        Checks.Name(name);
        if (!Hs256Validator.Grants(Context.User, room))
            throw new HubException($"The access token does not grant room '{room}'.");
        var (peers, current) = await state.Directory.Join(Context.ConnectionId, room, name);
        if (current is not null)
            throw new HubException($"Already joined room '{current}'.");
        await Groups.AddToGroupAsync(Context.ConnectionId, room);
        await Clients.Caller.SendAsync("Welcome", Context.ConnectionId, peers);
        await Clients.OthersInGroup(room).SendAsync("PeerJoined", new Peer(Context.ConnectionId, name));
    }

    public async Task Signal(string toId, string payloadJson)
    {
        if (await state.Directory.Find(Context.ConnectionId) is not { } me)
            throw new HubException("Join a room before signaling.");
        if (toId is null || await state.Directory.Find(toId) is not { } target || target.Room != me.Room)
            throw new HubException($"No peer '{toId}' in room '{me.Room}'.");
        Checks.JsonObject(payloadJson, "payloadJson");
        await Clients.Client(toId).SendAsync("Signal", Context.ConnectionId, payloadJson);
    }

    public Task Leave() => Depart();

    /// Everyone in the caller's room, the caller included: a method with a result, for apps
    /// (client.invoke('Members')).
    public async Task<Peer[]> Members()
    {
        if (await state.Directory.Find(Context.ConnectionId) is not { } me)
            throw new HubException("Join a room first.");
        return await state.Directory.Members(me.Room);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        lock (state.Lock)
        {
            if (state.ConnectionsPerUser.TryGetValue(UserKey, out var held) && held > 1)
                state.ConnectionsPerUser[UserKey] = held - 1;
            else
                state.ConnectionsPerUser.Remove(UserKey);
        }
        await Depart();
        await base.OnDisconnectedAsync(exception);
    }

    private async Task Depart()
    {
        if (await state.Directory.Remove(Context.ConnectionId) is not { } me) return;
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

// ---------------------------------------------------------------- ekobit (the article's hub, as published)

public sealed class EkobitState
{
    public readonly Dictionary<string, List<string>> Rooms = new();
    public readonly object Lock = new();
}

/// <summary>
/// The hub of the Ekobit SignalR + WebRTC article, reproduced as its authors published it (the
/// `ekobit` contract, alias `codelab`, talks to it), quirks included:
/// CreateOrJoinRoom(roomName): the only member gets created() (no arguments), otherwise the whole
/// group, the caller included, gets joined() (no arguments). SendMessage(message, roomName): the
/// others in the group get message(message). LeaveRoom(roomName). Every call logs to the group.
/// No size limit, no `full`, and no cleanup on disconnect: a dropped connection stays in the
/// room's list forever, so later members are told joined() even into an empty room.
/// </summary>
public sealed class EkobitHub(EkobitState state) : Hub
{
    public async Task CreateOrJoinRoom(string roomName)
    {
        int count;
        lock (state.Lock)
        {
            if (!state.Rooms.TryGetValue(roomName, out var members))
                state.Rooms[roomName] = members = new List<string>();
            members.Add(Context.ConnectionId);
            count = members.Count;
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, roomName);
        await Log(roomName, $"Client {Context.ConnectionId} joined the room {roomName}");
        if (count == 1)
            await Clients.Caller.SendAsync("created");
        else
            await Clients.Group(roomName).SendAsync("joined");
    }

    public async Task SendMessage(object message, string roomName)
    {
        await Log(roomName, $"Client {Context.ConnectionId} said: {message}");
        await Clients.OthersInGroup(roomName).SendAsync("message", message);
    }

    public async Task LeaveRoom(string roomName)
    {
        lock (state.Lock)
        {
            if (state.Rooms.TryGetValue(roomName, out var members))
                members.Remove(Context.ConnectionId);
        }
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, roomName);
        await Log(roomName, $"Client {Context.ConnectionId} left the room {roomName}");
    }

    private Task Log(string roomName, string text) =>
        Clients.Group(roomName).SendAsync("log", $"[Server]: {text}");
}

// ---------------------------------------------------------------- snaprtc (the SnapRTC seed's hub, as published)

/// <summary>
/// The session hub of the SnapRTC seed, reproduced as published (the `snaprtc` contract talks to
/// it). A session is a group; nothing else is kept: no roster, no cleanup, no departure notice.
/// Sync(session, ready) adds the caller to the group and, when ready, sends signalStart() to the
/// whole group, the caller included. SignalCapture(session, payload) and
/// SignalInitiator(session, payload) send signalCapture(payload) and signalInitiator(payload) to
/// the whole group, the sender included. Payloads are opaque (lz-string compressed simple-peer
/// signals); no size limit beyond SignalR's own message size.
/// </summary>
public sealed class SnapRtcHub : Hub
{
    public async Task Sync(string session, bool ready)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, session);
        if (ready)
            await Clients.Group(session).SendAsync("signalStart");
    }

    public Task SignalCapture(string session, string payload) =>
        Clients.Group(session).SendAsync("signalCapture", payload);

    public Task SignalInitiator(string session, string payload) =>
        Clients.Group(session).SendAsync("signalInitiator", payload);
}

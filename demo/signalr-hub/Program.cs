// Demo ASP.NET Core SignalR app for the rtc-signaling `signalr` dialect: one hub per hub contract
// the SDK speaks, and HS256 bearer tokens on /hubs/room and /hubs/ekobit-auth.
//
//   dotnet run --project demo/signalr-hub --urls http://127.0.0.1:5050
//
// RTC_SIGNALR_MAX_CONNECTIONS_PER_USER caps the /hubs/room connections one token's user holds
// (default 10). POST /app/negotiate is a negotiate redirect to /hubs/room (see below).
// RTC_SIGNALR_SECRET sets the HS256 secret (required, at least 32 characters: /hubs/room accepts
// only tokens signed with it). RTC_SIGNALR_ORIGINS lists the browser origins allowed to call the
// hubs with credentials (comma-separated); without it only loopback origins (localhost,
// 127.0.0.1, [::1], any port) are allowed.
//
// RTC_SIGNALR_REDIS (a StackExchange.Redis configuration, e.g. 127.0.0.1:6379) turns on scale-out:
// the SignalR Redis backplane carries messages between instances, and /hubs/room keeps its
// rooms in the same Redis, so clients on different instances share rooms (README.md, "Running
// several servers").
using Microsoft.AspNetCore.SignalR;
using SignalrHub;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

var secret = Environment.GetEnvironmentVariable("RTC_SIGNALR_SECRET");
if (string.IsNullOrEmpty(secret) || secret.Length < Hs256Validator.MinSecretLength)
{
    // No built-in fallback: a default secret is a secret everybody knows.
    Console.Error.WriteLine($"RTC_SIGNALR_SECRET must be set to a secret of at least {Hs256Validator.MinSecretLength} characters; refusing to start.");
    return 2;
}
var origins = (Environment.GetEnvironmentVariable("RTC_SIGNALR_ORIGINS") ?? "")
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

builder.Services.AddSingleton(new Hs256Validator(secret));
var maxPerUser = int.TryParse(Environment.GetEnvironmentVariable("RTC_SIGNALR_MAX_CONNECTIONS_PER_USER"), out var m) && m > 0 ? m : 10;
var redisConfiguration = Environment.GetEnvironmentVariable("RTC_SIGNALR_REDIS");
IConnectionMultiplexer? redis = null;
if (!string.IsNullOrEmpty(redisConfiguration))
{
    var options = ConfigurationOptions.Parse(redisConfiguration);
    options.AbortOnConnectFail = false; // an instance starts and waits for Redis, like the backplane
    redis = ConnectionMultiplexer.Connect(options);
}
if (redis is null)
{
    builder.Services.AddSingleton(new RoomState(maxPerUser, new MemoryRoomDirectory()));
}
else
{
    var directory = new RedisRoomDirectory(redis);
    builder.Services.AddSingleton(redis);
    builder.Services.AddSingleton(directory);
    builder.Services.AddSingleton(new RoomState(maxPerUser, directory));
    builder.Services.AddHostedService<HubReaper>();
}
builder.Services.AddSingleton<SignalrtcState>();
builder.Services.AddSingleton<EkobitState>();
// Browser pages of other origins (the SDK's demo, simple-peer pages) call negotiate with fetch, and
// @microsoft/signalr sends credentials by default, which a wildcard origin would refuse. Only the
// listed origins (or loopback ones) are reflected: any other site gets no CORS grant.
builder.Services.AddCors(o => o.AddDefaultPolicy(p => p
    .SetIsOriginAllowed(origin => OriginPolicy.Allowed(origin, origins))
    .AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
var signalr = builder.Services.AddSignalR(o => o.AddFilter(new RateLimitFilter(ratePerSecond: 20, burst: 40)));
if (redis is not null)
{
    signalr.AddStackExchangeRedis(o =>
    {
        o.Configuration.ChannelPrefix = RedisChannel.Literal("rtc-hub");
        o.ConnectionFactory = _ => Task.FromResult(redis);
    });
    Console.WriteLine("scale-out: SignalR Redis backplane and shared /hubs/room rooms on " + redisConfiguration);
}

var app = builder.Build();
app.UseCors();
app.UseMiddleware<BearerTokenMiddleware>("/hubs/room");
// The article's security advice: [Authorize] on the hub, a JWT from accessTokenFactory.
app.UseMiddleware<BearerTokenMiddleware>("/hubs/ekobit-auth");

app.MapHub<RoomHub>("/hubs/room", o =>
{
    o.AllowStatefulReconnects = true;
    // A connection lives no longer than its token: the hub then sends Close with allowReconnect,
    // and a client reconnects with a fresh one.
    o.CloseOnAuthenticationExpiration = true;
});
// A negotiate redirect, the way a hosted SignalR service is fronted by an app server: the app
// authenticates its own user (here a bearer "session:<name>", standing for the app's session)
// and answers negotiate with the hub's URL and a token minted for it. The client then negotiates
// with /hubs/room using that token.
app.MapPost("/app/negotiate", (HttpContext context, Hs256Validator validator) =>
{
    var header = context.Request.Headers.Authorization.ToString();
    const string prefix = "Bearer session:";
    var name = header.StartsWith(prefix, StringComparison.Ordinal) ? header[prefix.Length..] : "";
    if (name.Length is 0 or > Checks.MaxNameLength)
        return Results.Unauthorized();
    var hub = $"{context.Request.Scheme}://{context.Request.Host}/hubs/room";
    return Results.Json(new { url = hub, accessToken = validator.Sign(name, name, TimeSpan.FromHours(1)) });
});
app.MapHub<SignalrtcHub>("/hubs/signalrtc");
app.MapHub<EkobitHub>("/hubs/ekobit");
app.MapHub<EkobitHub>("/hubs/ekobit-auth");
app.MapHub<SnapRtcHub>("/hubs/snaprtc");
app.MapGet("/", () => "rtc-signaling SignalR demo hubs: /hubs/room, /hubs/signalrtc, /hubs/ekobit, /hubs/ekobit-auth, /hubs/snaprtc\n");

app.Run();
return 0;

static class OriginPolicy
{
    public static bool Allowed(string origin, string[] listed)
    {
        if (listed.Length > 0) return listed.Contains(origin, StringComparer.OrdinalIgnoreCase);
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && (uri.Scheme == "http" || uri.Scheme == "https")
            && (uri.Host == "localhost" || uri.Host == "127.0.0.1" || uri.Host == "[::1]");
    }
}

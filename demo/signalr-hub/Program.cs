// Demo ASP.NET Core SignalR app for the rtc-signaling `signalr` dialect: three hubs, one per hub
// contract the SDK speaks, and HS256 bearer tokens on /hubs/room.
//
//   dotnet run --project demo/signalr-hub --urls http://127.0.0.1:5050
//
// RTC_SIGNALR_SECRET sets the HS256 secret (default: a development secret printed at start).
using SignalrHub;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

var secret = Environment.GetEnvironmentVariable("RTC_SIGNALR_SECRET");
if (string.IsNullOrEmpty(secret))
{
    secret = "rtc-signaling-development-secret";
    Console.WriteLine($"RTC_SIGNALR_SECRET not set; using the development secret '{secret}'");
}

builder.Services.AddSingleton(new Hs256Validator(secret));
builder.Services.AddSingleton<RoomState>();
builder.Services.AddSingleton<SignalrtcState>();
builder.Services.AddSingleton<CodelabState>();
// Browser pages of other origins (the SDK's demo, simple-peer pages) call negotiate with fetch, and
// @microsoft/signalr sends credentials by default, which a wildcard origin would refuse: reflect
// the origin instead.
builder.Services.AddCors(o => o.AddDefaultPolicy(p => p.SetIsOriginAllowed(_ => true).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
builder.Services.AddSignalR();

var app = builder.Build();
app.UseCors();
app.UseMiddleware<BearerTokenMiddleware>("/hubs/room");

app.MapHub<RoomHub>("/hubs/room", o => o.AllowStatefulReconnects = true);
app.MapHub<SignalrtcHub>("/hubs/signalrtc");
app.MapHub<CodelabHub>("/hubs/codelab");
app.MapGet("/", () => "rtc-signaling SignalR demo hubs: /hubs/room, /hubs/signalrtc, /hubs/codelab\n");

app.Run();

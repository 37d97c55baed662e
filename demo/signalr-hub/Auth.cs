using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.SignalR;

namespace SignalrHub;

/// <summary>
/// Validates compact HS256 JWTs (signature, alg, exp, nbf). `exp` is required: a token without
/// one would be valid forever. The NuGet feed this project builds
/// from has no JwtBearer package for net10.0, and the check needs nothing beyond HMAC-SHA256.
/// </summary>
public sealed class Hs256Validator(string secret)
{
    public const string RoomsClaim = "rooms";
    public const string ExpiresClaim = "exp";
    public const int MinSecretLength = 32;

    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);

    public static bool Grants(ClaimsPrincipal? user, string room) =>
        user?.FindAll(RoomsClaim).Any(c => c.Value == "*" || c.Value == room) == true;

    public ClaimsPrincipal? Validate(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            using var header = JsonDocument.Parse(Base64Url(parts[0]));
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != "HS256")
                return null;
            var expected = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
            if (!CryptographicOperations.FixedTimeEquals(expected, Base64Url(parts[2]))) return null;

            using var payload = JsonDocument.Parse(Base64Url(parts[1]));
            var root = payload.RootElement;
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (!root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || exp.GetInt64() < now)
                return null;
            if (root.TryGetProperty("nbf", out var nbf) && nbf.GetInt64() > now) return null;

            var claims = new List<Claim> { new(ExpiresClaim, exp.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)) };
            if (root.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String)
                claims.Add(new Claim(ClaimTypes.NameIdentifier, sub.GetString()!));
            if (root.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                claims.Add(new Claim(ClaimTypes.Name, name.GetString()!));
            // The rooms the token grants ("*" = any), enforced by RoomHub.Join.
            if (root.TryGetProperty("rooms", out var rooms) && rooms.ValueKind == JsonValueKind.Array)
                foreach (var r in rooms.EnumerateArray())
                    if (r.ValueKind == JsonValueKind.String) claims.Add(new Claim(RoomsClaim, r.GetString()!));
            return new ClaimsPrincipal(new ClaimsIdentity(claims, "HS256"));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A token of our own (the negotiate redirect hands one to the client).</summary>
    public string Sign(string sub, string name, TimeSpan lifetime)
    {
        static string Encode(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new
        {
            sub, name, rooms = new[] { "*" }, iat = now, exp = now + (long)lifetime.TotalSeconds,
        }));
        var signature = Encode(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(header + "." + payload)));
        return $"{header}.{payload}.{signature}";
    }

    public static DateTimeOffset? Expires(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst(ExpiresClaim)?.Value, out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;

    private static byte[] Base64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + (4 - b.Length % 4) % 4, '='));
    }
}

/// <summary>
/// Requires a valid token under one path prefix: from the Authorization header (negotiate) or the
/// access_token query parameter (WebSockets, which browsers cannot give headers). 401 otherwise,
/// on negotiate, on the upgrade and on plain GETs alike.
/// </summary>
public sealed class BearerTokenMiddleware(RequestDelegate next, string prefix, Hs256Validator validator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(prefix) || HttpMethods.IsOptions(context.Request.Method))
        {
            await next(context);
            return;
        }
        string? token = context.Request.Query["access_token"];
        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(token) && header.StartsWith("Bearer ", StringComparison.Ordinal))
            token = header["Bearer ".Length..];
        var user = string.IsNullOrEmpty(token) ? null : validator.Validate(token);
        if (user is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return;
        }
        context.User = user;
        // What SignalR's CloseOnAuthenticationExpiration reads: once the token expires, the hub
        // closes the connection with a Close message that allows reconnecting (with a new token).
        context.Features.Set<IAuthenticateResultFeature>(new TokenAuthentication
        {
            AuthenticateResult = AuthenticateResult.Success(new AuthenticationTicket(
                user, new AuthenticationProperties { ExpiresUtc = Hs256Validator.Expires(user) }, "Bearer")),
        });
        await next(context);
    }
}

sealed class TokenAuthentication : IAuthenticateResultFeature
{
    public AuthenticateResult? AuthenticateResult { get; set; }
}

/// <summary>
/// A per-connection token bucket on every hub method but the ekobit reproduction's: the
/// unauthenticated signalrtc hub broadcasts on request (NewUser reaches every connection), so one
/// client must not be able to turn the hub into an amplifier. Past the limit the call fails with a HubException; a client
/// that keeps going past a burst's worth of refusals is disconnected.
/// </summary>
public sealed class RateLimitFilter(double ratePerSecond, int burst) : IHubFilter
{
    private sealed class Bucket
    {
        public double Tokens;
        public long Stamp;
        public int Refused;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Bucket> _buckets = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // The ekobit and snaprtc hubs reproduce published hubs as they are, and those have no limit.
        if (invocation.Hub is EkobitHub or SnapRtcHub) return await next(invocation);
        var id = invocation.Context.ConnectionId;
        var bucket = _buckets.GetOrAdd(id, _ => new Bucket { Tokens = burst, Stamp = System.Diagnostics.Stopwatch.GetTimestamp() });
        bool allowed;
        lock (bucket)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            var elapsed = (now - bucket.Stamp) / (double)System.Diagnostics.Stopwatch.Frequency;
            bucket.Stamp = now;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + elapsed * ratePerSecond);
            allowed = bucket.Tokens >= 1;
            if (allowed)
            {
                bucket.Tokens -= 1;
                bucket.Refused = 0;
            }
            else if (++bucket.Refused > burst)
            {
                invocation.Context.Abort();
            }
        }
        if (!allowed) throw new HubException($"Rate limited: more than {ratePerSecond} calls per second.");
        return await next(invocation);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _buckets.TryRemove(context.Context.ConnectionId, out _);
        return next(context, exception);
    }
}

// Client configuration. Defaults: README.md#limits and docs/ARCHITECTURE.md#the-session.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rtc_signaling {

enum class Dialect { native, signalr, relay, dyson };

/// Hub method sets the `signalr` dialect speaks (README "Use with an existing SignalR hub").
enum class SignalrContract { room, signalrtc, ekobit, snaprtc };
/// Which side of a snaprtc session this client is (the hub has no other notion of identity).
enum class SignalrRole { none, initiator, capture };

struct SignalrOptions {
  SignalrContract contract = SignalrContract::room;
  /// Renames hub methods: key = the contract's method name (e.g. "Join"), value = the hub's.
  std::map<std::string, std::string> methods;
  /// Connect the WebSocket directly, without POST /negotiate (no stateful reconnect then).
  bool skip_negotiation = false;
  /// snaprtc: required; the initiator offers once the capture side is ready.
  SignalrRole role = SignalrRole::none;
};

/// When the signaling socket is kept open (README "Signaling only for setup").
enum class SignalingMode {
  always,          ///< the default: reconnect whenever the socket is lost
  until_connected, ///< close it once every peer is connected; reopen only to send a signal
};

struct ReconnectPolicy {
  bool enabled = true;
  std::uint32_t initial_delay_ms = 500;
  std::uint32_t max_delay_ms = 30'000;
  std::uint32_t max_attempts = 0;        ///< 0 = unlimited
  std::uint32_t stable_after_ms = 10'000;  ///< attempt counter resets after this long open
};

struct Limits {
  std::uint32_t max_frame_bytes = 64 * 1024;
  std::uint32_t max_json_depth = 16;
  std::uint32_t max_sdp_bytes = 32 * 1024;
  std::uint32_t max_candidate_bytes = 1024;
  std::uint32_t max_name_bytes = 64;
  std::uint32_t max_peers = 32;
  std::uint32_t outbox_frames = 256;
  /// Remote candidates held per peer before a remote description is applied or while an
  /// operation runs; past it they are dropped with bad-message.
  std::uint32_t max_held_candidates = 200;
};

struct Config {
  Dialect dialect = Dialect::native;
  std::string url;   ///< ws:// or wss:// endpoint, e.g. ws://localhost:8080/signal
  /// More endpoints of the same service (docs/ARCHITECTURE.md#the-session): an attempt that
  /// fails before the session opens moves on to the next one, in list order after `url`,
  /// wrapping around; a session that was open retries its endpoint first. The Session sets `url`
  /// to the endpoint of each attempt.
  std::vector<std::string> fallback_urls;
  std::string room;
  std::string name;
  /// Static token, sent as the access_token query parameter.
  std::optional<std::string> token;
  /// When true the core emits RequestToken before every connection attempt and waits for
  /// TokenProvided (the JS layer calls the app's token function).
  bool token_provider = false;
  ReconnectPolicy reconnect;
  std::uint32_t ping_interval_ms = 10'000;    ///< ping after this long without outgoing traffic
  std::uint32_t server_timeout_ms = 25'000;   ///< server is dead after this long without a frame
  std::uint32_t connect_timeout_ms = 15'000;  ///< fatal `timeout` if never joined by then
  std::uint32_t ice_grace_ms = 5'000;         ///< disconnected this long -> ICE restart
  std::uint64_t seed = 0;                     ///< jitter randomness; tests fix it
  Limits limits;
  SignalingMode signaling = SignalingMode::always;
  /// until_connected: how long every peer must stay connected and settled before the socket
  /// closes, so the last acks and answers get out.
  std::uint32_t park_after_ms = 250;
  /// Signals to a peer whose connection is up travel on a data channel of that connection
  /// instead of the server, when both ends announce it (docs/ARCHITECTURE.md#in-band-signaling).
  /// Off in the core so codec tests pin exact SDPs; the JS layer turns it on by default.
  bool in_band_signaling = false;
  SignalrOptions signalr;  ///< only read by the signalr dialect
};

}  // namespace rtc_signaling

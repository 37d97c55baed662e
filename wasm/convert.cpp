#include "convert.hpp"

#include <cmath>
#include <type_traits>

namespace rtc_signaling::wasm {

using emscripten::val;

bool is_nullish(const val& value) {
  return value.isNull() || value.isUndefined();
}

std::optional<std::string> string_field(const val& value, const char* key) {
  if (is_nullish(value))
    return std::nullopt;
  val field = value[key];
  if (!field.isString())
    return std::nullopt;
  return field.as<std::string>();
}

std::optional<double> number_field(const val& value, const char* key) {
  if (is_nullish(value))
    return std::nullopt;
  val field = value[key];
  if (!field.isNumber())
    return std::nullopt;
  double number = field.as<double>();
  if (std::isnan(number))
    return std::nullopt;
  return number;
}

namespace {

// Millisecond and count options are validated in JS; clamp anyway so a stray value can never
// wrap around into a huge unsigned number.
std::uint32_t u32_field(const val& value, const char* key, std::uint32_t fallback) {
  auto number = number_field(value, key);
  if (!number || *number < 0)
    return fallback;
  if (*number >= 4294967295.0)
    return 4294967295u;
  return static_cast<std::uint32_t>(*number);
}

} // namespace

Config config_from_val(const val& options) {
  Config config;
  const auto dialect = string_field(options, "dialect").value_or("native");
  config.dialect = dialect == "signalr" ? Dialect::signalr
                   : dialect == "relay" ? Dialect::relay
                   : dialect == "dyson" ? Dialect::dyson
                                        : Dialect::native;
  if (config.dialect == Dialect::relay || config.dialect == Dialect::dyson) {
    // The presence heartbeat; a peer is gone after three of them without a frame.
    config.ping_interval_ms = 5'000;
  }
  if (config.dialect == Dialect::signalr) {
    // SignalR's own defaults (README.md#use-with-an-existing-signalr-hub): the hub pings every
    // 15 s and drops a client silent for 30 s; explicit pingIntervalMs/serverTimeoutMs win.
    config.ping_interval_ms = 15'000;
    config.server_timeout_ms = 30'000;
    val signalr = options["signalr"];
    auto contract = string_field(signalr, "contract").value_or("room");
    config.signalr.contract = contract == "signalrtc" ? SignalrContract::signalrtc
                              : contract == "ekobit" || contract == "codelab" ? SignalrContract::ekobit
                              : contract == "snaprtc"                         ? SignalrContract::snaprtc
                                                      : SignalrContract::room;
    const auto role = string_field(signalr, "role").value_or("");
    config.signalr.role = role == "initiator" ? SignalrRole::initiator
                          : role == "capture" ? SignalrRole::capture
                                              : SignalrRole::none;
    config.signalr.skip_negotiation = !is_nullish(signalr) && signalr["skipNegotiation"].isTrue();
    // [[name, hubName], ...] pairs, validated in JS.
    val methods = is_nullish(signalr) ? val::undefined() : signalr["methods"];
    if (!is_nullish(methods)) {
      const unsigned count = methods["length"].as<unsigned>();
      for (unsigned i = 0; i < count; ++i) {
        val pair = methods[i];
        if (pair[0].isString() && pair[1].isString())
          config.signalr.methods[pair[0].as<std::string>()] = pair[1].as<std::string>();
      }
    }
  }
  if (string_field(options, "signaling").value_or("always") == "until-connected")
    config.signaling = SignalingMode::until_connected;
  // On unless the app turns it off (README.md#calls-without-a-server).
  config.in_band_signaling = !options["inBandSignaling"].strictlyEquals(val(false));
  config.url = string_field(options, "url").value_or("");
  val fallbacks = options["fallbackUrls"];
  if (fallbacks.isArray()) {
    const unsigned count = fallbacks["length"].as<unsigned>();
    for (unsigned i = 0; i < count; ++i) {
      if (fallbacks[i].isString())
        config.fallback_urls.push_back(fallbacks[i].as<std::string>());
    }
  }
  config.room = string_field(options, "room").value_or("");
  config.name = string_field(options, "name").value_or("");
  config.token = string_field(options, "token");
  config.token_provider = options["tokenProvider"].isTrue();

  val reconnect = options["reconnect"];
  if (!is_nullish(reconnect)) {
    config.reconnect.enabled = !reconnect["enabled"].isFalse();
    config.reconnect.initial_delay_ms =
        u32_field(reconnect, "initialDelayMs", config.reconnect.initial_delay_ms);
    config.reconnect.max_delay_ms =
        u32_field(reconnect, "maxDelayMs", config.reconnect.max_delay_ms);
    config.reconnect.max_attempts =
        u32_field(reconnect, "maxAttempts", config.reconnect.max_attempts);
    config.reconnect.stable_after_ms =
        u32_field(reconnect, "stableAfterMs", config.reconnect.stable_after_ms);
  }
  config.ping_interval_ms = u32_field(options, "pingIntervalMs", config.ping_interval_ms);
  config.server_timeout_ms = u32_field(options, "serverTimeoutMs", config.server_timeout_ms);
  config.connect_timeout_ms = u32_field(options, "connectTimeoutMs", config.connect_timeout_ms);
  config.ice_grace_ms = u32_field(options, "iceGraceMs", config.ice_grace_ms);

  // JS numbers hold 53 bits exactly, so the 64-bit seed travels as two 32-bit halves.
  std::uint64_t hi = u32_field(options, "seedHi", 0);
  std::uint64_t lo = u32_field(options, "seedLo", 0);
  config.seed = (hi << 32) | lo;

  val limits = options["limits"];
  if (!is_nullish(limits)) {
    Limits& l = config.limits;
    l.max_frame_bytes = u32_field(limits, "maxFrameBytes", l.max_frame_bytes);
    l.max_json_depth = u32_field(limits, "maxJsonDepth", l.max_json_depth);
    l.max_sdp_bytes = u32_field(limits, "maxSdpBytes", l.max_sdp_bytes);
    l.max_candidate_bytes = u32_field(limits, "maxCandidateBytes", l.max_candidate_bytes);
    l.max_name_bytes = u32_field(limits, "maxNameBytes", l.max_name_bytes);
    l.max_peers = u32_field(limits, "maxPeers", l.max_peers);
    l.outbox_frames = u32_field(limits, "outboxFrames", l.outbox_frames);
    l.max_held_candidates = u32_field(limits, "maxHeldCandidates", l.max_held_candidates);
  }
  return config;
}

val to_val(const Description& description) {
  val init = val::object();
  init.set("type", description.type);
  if (description.type != "rollback")
    init.set("sdp", description.sdp);
  return init;
}

val to_val(const Candidate& candidate) {
  val init = val::object();
  init.set("candidate", candidate.candidate);
  init.set("sdpMid", candidate.sdp_mid ? val(*candidate.sdp_mid) : val::null());
  init.set("sdpMLineIndex",
           candidate.sdp_mline_index ? val(*candidate.sdp_mline_index) : val::null());
  if (candidate.username_fragment)
    init.set("usernameFragment", *candidate.username_fragment);
  return init;
}

val peers_to_val(const std::map<PeerId, PeerInfo>& peers) {
  val list = val::array();
  for (const auto& [id, info] : peers) {
    val peer = val::object();
    peer.set("id", id);
    peer.set("name", info.name);
    peer.set("state", std::string(to_string(info.state)));
    peer.set("signaling", std::string(info.in_band ? "in-band" : "server"));
    list.call<void>("push", peer);
  }
  return list;
}

std::optional<Description> description_from_val(const val& value) {
  auto type = string_field(value, "type");
  if (!type)
    return std::nullopt;
  return Description{*type, string_field(value, "sdp").value_or("")};
}

std::optional<Candidate> candidate_from_val(const val& value) {
  auto text = string_field(value, "candidate");
  if (!text)
    return std::nullopt;
  Candidate candidate;
  candidate.candidate = *text;
  candidate.sdp_mid = string_field(value, "sdpMid");
  if (auto index = number_field(value, "sdpMLineIndex")) {
    candidate.sdp_mline_index = static_cast<int>(*index);
  }
  candidate.username_fragment = string_field(value, "usernameFragment");
  return candidate;
}

std::optional<AppEvent> app_event(const Output& output) {
  return std::visit(
      [](const auto& o) -> std::optional<AppEvent> {
        using T = std::decay_t<decltype(o)>;
        val payload = val::object();
        if constexpr (std::is_same_v<T, output::StateChanged>) {
          payload.set("state", std::string(to_string(o.state)));
          return AppEvent{"state", payload};
        } else if constexpr (std::is_same_v<T, output::Joined>) {
          payload.set("id", o.self_id);
          payload.set("room", o.room);
          payload.set("resumed", o.resumed);
          return AppEvent{"joined", payload};
        } else if constexpr (std::is_same_v<T, output::PeerJoined>) {
          payload.set("id", o.id);
          payload.set("name", o.name);
          return AppEvent{"peer-joined", payload};
        } else if constexpr (std::is_same_v<T, output::PeerLeft>) {
          payload.set("id", o.id);
          payload.set("reason", o.reason);
          return AppEvent{"peer-left", payload};
        } else if constexpr (std::is_same_v<T, output::PeerStateChanged>) {
          payload.set("id", o.id);
          payload.set("state", std::string(to_string(o.state)));
          return AppEvent{"peer-state", payload};
        } else if constexpr (std::is_same_v<T, output::Reconnecting>) {
          payload.set("attempt", o.attempt);
          payload.set("delayMs", o.delay_ms);
          return AppEvent{"reconnecting", payload};
        } else if constexpr (std::is_same_v<T, output::Error>) {
          payload.set("code", o.code);
          payload.set("message", o.message);
          payload.set("fatal", o.fatal);
          return AppEvent{"error", payload};
        } else if constexpr (std::is_same_v<T, output::HubResult>) {
          payload.set("id", o.id);
          payload.set("code", o.code);
          payload.set("message", o.message);
          payload.set("result", o.result);
          return AppEvent{"hub-result", payload};
        } else {
          return std::nullopt;
        }
      },
      output);
}

} // namespace rtc_signaling::wasm

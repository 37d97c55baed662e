// Dialect-independent signaling messages (docs/ARCHITECTURE.md#dialects). A dialect turns frames into ServerMessage
// and ClientMessage into frames; the session only ever sees these types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rtc_signaling/types.hpp"

namespace rtc_signaling::msg {

/// Sequence number of a reliable message; 0 never occurs on the wire (numbering starts at 1).
using Seq = std::uint64_t;

struct PeerEntry {
  PeerId id;
  std::string name;
  friend bool operator==(const PeerEntry&, const PeerEntry&) = default;
};

// ---- Server -> client.
/// The frame rate a server processes without queueing (token bucket), as it advertises it.
struct Rate {
  std::uint32_t frames_per_sec = 0;
  std::uint32_t burst = 0;
  friend bool operator==(const Rate&, const Rate&) = default;
};
struct Welcome {
  PeerId id;
  std::string room;
  std::optional<std::string> resume; ///< token for the next join's `resume`
  bool resumed = false;              ///< the server honoured our resume token
  std::optional<Seq> ack;            ///< last client seq the server processed
  std::vector<PeerEntry> peers;
  /// resumed, but from the token alone: the server lost its state (restart), replayed nothing,
  /// and cannot tell which of our unacknowledged signals it relayed before.
  bool restored = false;
  /// The session secret, sent once in a session's first welcome; a resume presents it beside the
  /// token, which alone resumes nothing.
  std::optional<std::string> secret;
  /// The server's advertised rate; the client paces its frames to stay within it.
  std::optional<Rate> rate;
  friend bool operator==(const Welcome&, const Welcome&) = default;
};
struct PeerJoined {
  std::optional<Seq> seq;
  PeerEntry peer;
  /// Open a connection to this peer now. Dialects without a server roster (signalr's signalrtc
  /// and ekobit contracts) decide there who calls whom; otherwise only the newcomer calls.
  bool initiate = false;
  friend bool operator==(const PeerJoined&, const PeerJoined&) = default;
};
struct PeerLeft {
  std::optional<Seq> seq;
  PeerId id;
  std::string reason; ///< "left" | "timeout" (others pass through)
  friend bool operator==(const PeerLeft&, const PeerLeft&) = default;
};
struct Signal {
  std::optional<Seq> seq;
  PeerId from;
  SignalPayload payload;
  friend bool operator==(const Signal&, const Signal&) = default;
};
struct Ack {
  Seq seq = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};
struct Pong {
  friend bool operator==(const Pong&, const Pong&) = default;
};
struct ServerError {
  std::string code;
  std::string message;
  bool fatal = false;
  friend bool operator==(const ServerError&, const ServerError&) = default;
};
/// A well-formed frame of a type this version does not know: ignored for forward compatibility.
struct Unknown {
  std::string type;
  friend bool operator==(const Unknown&, const Unknown&) = default;
};

using ServerMessage =
    std::variant<Welcome, PeerJoined, PeerLeft, Signal, Ack, Pong, ServerError, Unknown>;

// ---- Client -> server.
struct Join {
  std::string room;
  std::string name;
  std::optional<std::string> resume;
  std::optional<Seq> last_seq;
  std::optional<std::string> secret; ///< the session secret that goes with `resume`
  friend bool operator==(const Join&, const Join&) = default;
};
struct SignalTo {
  PeerId to;
  Seq seq = 0;
  SignalPayload payload;
  friend bool operator==(const SignalTo&, const SignalTo&) = default;
};
struct AckOut {
  Seq seq = 0;
  friend bool operator==(const AckOut&, const AckOut&) = default;
};
struct Ping {
  friend bool operator==(const Ping&, const Ping&) = default;
};
struct Leave {
  friend bool operator==(const Leave&, const Leave&) = default;
};

using ClientMessage = std::variant<Join, SignalTo, AckOut, Ping, Leave>;

/// Why a frame was rejected: code is errc::bad_message or errc::message_too_large.
struct DecodeError {
  std::string code;
  std::string message;
};

template <typename T> using Decoded = std::variant<T, DecodeError>;

} // namespace rtc_signaling::msg

// Vocabulary types shared by inputs, outputs and the core's internals.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace rtc_signaling {

/// Monotonic milliseconds supplied by the embedder. The core never reads a clock.
using TimeMs = std::int64_t;

/// Peer ids are 1-64 chars of [A-Za-z0-9._:-] (validated on every frame).
using PeerId = std::string;

/// The signaling session's lifecycle (docs/ARCHITECTURE.md#the-session).
/// `dormant`: signaling: until-connected closed the socket on purpose once every peer was
/// connected; the calls go on and the socket reopens when a signal has to go out.
enum class SessionState { idle, connecting, joining, open, reconnecting, dormant, closed };

/// RTCPeerConnection.signalingState, mirrored by the core.
enum class SignalingState { stable, have_local_offer, have_remote_offer, have_local_pranswer,
                            have_remote_pranswer, closed };

/// RTCPeerConnection.connectionState.
enum class ConnectionState { new_, connecting, connected, disconnected, failed, closed };

/// A session description: type is "offer" | "answer" | "pranswer" | "rollback".
struct Description {
  std::string type;
  std::string sdp;
  friend bool operator==(const Description&, const Description&) = default;
};

/// An ICE candidate in canonical form (RTCIceCandidateInit).
struct Candidate {
  std::string candidate;
  std::optional<std::string> sdp_mid;
  std::optional<int> sdp_mline_index;
  std::optional<std::string> username_fragment;
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

/// "No more candidates" for this generation.
struct EndOfCandidates {
  friend bool operator==(const EndOfCandidates&, const EndOfCandidates&) = default;
};

/// What one peer signals to another, independent of the dialect that carried it.
using SignalPayload = std::variant<Description, Candidate, EndOfCandidates>;

const char* to_string(SessionState) noexcept;
const char* to_string(SignalingState) noexcept;
const char* to_string(ConnectionState) noexcept;
std::optional<SignalingState> signaling_state_from_string(std::string_view) noexcept;
std::optional<ConnectionState> connection_state_from_string(std::string_view) noexcept;

}  // namespace rtc_signaling

// Perfect negotiation for one remote peer (docs/ARCHITECTURE.md#negotiation; W3C WebRTC §10.7 "Perfect negotiation").
//
// The negotiator mirrors one RTCPeerConnection. It issues at most one browser operation at a time
// (SetLocalDescription / SetRemoteDescription / AddIceCandidate) and waits for its OperationDone,
// so ordering is explicit. Signals it wants delivered to the remote peer come out as SendSignal;
// the Client routes them through the session (outbox while not open).
#pragma once

#include <memory>
#include <optional>
#include <variant>

#include "rtc_signaling/config.hpp"
#include "rtc_signaling/input.hpp"
#include "rtc_signaling/output.hpp"
#include "rtc_signaling/types.hpp"

namespace rtc_signaling::negotiation {

/// Deliver this payload to the remote peer over signaling.
struct SendSignal {
  SignalPayload payload;
};

using Action = std::variant<output::SetLocalDescription, output::SetRemoteDescription,
                            output::AddIceCandidate, output::PeerStateChanged, output::Error,
                            SendSignal>;

class Negotiator {
 public:
  /// polite: this side yields on glare (the side whose id sorts lower byte-wise).
  /// max_held_candidates bounds the remote candidates waiting (for a remote description, or for
  /// the operation in flight); descriptions waiting are bounded by kMaxQueuedDescriptions.
  Negotiator(PeerId remote, bool polite, std::uint32_t ice_grace_ms,
             std::uint32_t max_held_candidates = 200);

  /// Remote descriptions that may wait behind the operation in flight; a peer sending more
  /// before we could act on one is misbehaving.
  static constexpr std::size_t kMaxQueuedDescriptions = 8;

  // Inputs from the peer connection and the network.
  void negotiation_needed();
  void remote_signal(const SignalPayload& payload);  ///< already validated
  void local_candidate(const std::optional<Candidate>& candidate);
  void signaling_state_changed(SignalingState state);
  void connection_state_changed(ConnectionState state, TimeMs now);
  void operation_done(const input::OperationDone& done);
  void restart_ice();  ///< app request, ICE-grace expiry or `failed`
  void handle_timeout(TimeMs now);

  std::optional<TimeMs> next_deadline() const;
  /// Drain after every input.
  std::optional<Action> poll();

  const PeerId& remote() const;
  bool polite() const;
  SignalingState signaling_state() const;
  ConnectionState connection_state() const;
  /// Connected and stable, nothing in flight or waiting, our gathering over: nothing this
  /// connection needs from signaling right now (signaling: until-connected parks on it).
  bool settled() const;

 private:
  struct State;
  // Implementation detail owned by the negotiation module.
  std::shared_ptr<State> state_;
};

}  // namespace rtc_signaling::negotiation

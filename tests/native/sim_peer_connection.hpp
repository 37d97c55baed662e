// A fake RTCPeerConnection that enforces the JSEP signaling-state machine (W3C webrtc-pc §4.3.1)
// the way @roamhq/wrtc does: no implicit rollback, no parameterless setLocalDescription. An
// operation in the wrong state fails with InvalidStateError and is counted, so simulations can
// assert that perfect negotiation never provokes one.
//
// It is a pure state machine: the driver decides when an operation completes and when the events
// it queued are delivered. Events are produced as core Inputs aimed at the remote peer's id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rtc_signaling/input.hpp"
#include "rtc_signaling/types.hpp"

namespace rtc_signaling::sim {

struct OpResult {
  bool ok = true;
  std::string error;
  std::optional<Description> local_description;  ///< pc.localDescription after the operation
};

struct PcCounters {
  int wrong_state = 0;        ///< InvalidStateError: an operation in a state JSEP forbids
  int unknown_ufrag = 0;      ///< a candidate for an ICE generation the remote description lacks
  int injected_failures = 0;  ///< failures the test asked for
  int offers = 0;
  int ice_restart_offers = 0;
  int answers = 0;
  int rollbacks = 0;
};

class SimPeerConnection {
 public:
  /// owner/remote: peer ids; seed makes ufrags unique per connection and run.
  SimPeerConnection(PeerId owner, PeerId remote, std::uint64_t seed);

  OpResult set_local_description(const std::string& type, bool ice_restart);
  OpResult set_remote_description(const Description& description);
  OpResult add_ice_candidate(const std::optional<Candidate>& candidate);

  /// addTrack / createDataChannel: one more thing that needs an m-line.
  void add_track();
  void close();
  /// The next operation fails (OperationError) without changing state.
  void fail_next_operation(std::string reason) { fail_next_ = std::move(reason); }

  /// Events queued since the last call, in the order the browser would fire them.
  std::vector<Input> take_events();

  SignalingState signaling_state() const { return state_; }
  const std::optional<Description>& current_local() const { return current_local_; }
  const std::optional<Description>& current_remote() const { return current_remote_; }
  bool has_remote_description() const { return current_remote_ || pending_remote_; }
  /// Local ICE ufrag negotiated in the current local description ("" before any).
  const std::string& current_local_ufrag() const { return local_ufrag_; }
  const std::string& current_remote_ufrag() const { return remote_ufrag_; }
  /// A remote candidate of the current remote ICE generation has been added.
  bool has_remote_candidate_for_current() const;
  bool remote_end_of_candidates() const { return remote_end_of_candidates_; }
  /// Something local (tracks, data channel) is not yet in a completed offer of ours.
  bool negotiation_needed() const;
  int tracks() const { return tracks_; }
  const PcCounters& counters() const { return counters_; }
  const PeerId& owner() const { return owner_; }
  const PeerId& remote() const { return remote_; }

 private:
  OpResult wrong_state(const std::string& what);
  OpResult injected();
  std::string make_sdp(const std::string& type, const std::string& ufrag, int tracks);
  std::string new_ufrag();
  void set_state(SignalingState state);
  void gather_candidates(const std::string& ufrag);
  void committed();  ///< current descriptions changed: refresh cached ufrags

  PeerId owner_;
  PeerId remote_;
  std::uint64_t seed_;
  std::uint64_t ufrag_counter_ = 0;
  std::uint64_t sdp_version_ = 0;
  SignalingState state_ = SignalingState::stable;
  std::optional<Description> current_local_, current_remote_, pending_local_, pending_remote_;
  std::string local_ufrag_, remote_ufrag_;
  std::vector<std::string> applied_candidate_ufrags_;
  bool candidate_for_current_ = false;
  bool remote_end_of_candidates_ = false;
  int tracks_ = 0;
  int negotiated_tracks_ = 0;
  bool negotiation_needed_fired_ = false;
  std::optional<std::string> fail_next_;
  std::vector<Input> events_;
  PcCounters counters_;
};

/// The ICE transport between two connections: connected once both have matching ICE generations
/// and each has a remote candidate of the other's; break_() pins the current generation to
/// `disconnected`/`failed` until an ICE restart changes a ufrag.
class SimIceLink {
 public:
  /// Recompute; returns the new state when it changed.
  std::optional<ConnectionState> update(const SimPeerConnection& a, const SimPeerConnection& b);
  void break_(const SimPeerConnection& a, const SimPeerConnection& b, ConnectionState state);
  ConnectionState state() const { return state_; }
  /// Data gets through: connected, or checking new credentials (an ICE restart) on a path that
  /// has not broken since it was last connected, as browsers keep the old pair meanwhile.
  bool carries() const { return carries_; }

 private:
  ConnectionState state_ = ConnectionState::new_;
  bool carries_ = false;
  std::optional<std::pair<std::string, std::string>> broken_ufrags_;
  ConnectionState broken_state_ = ConnectionState::failed;
};

/// The value of an `a=<key>:` line in a fake SDP ("" when absent).
std::string sdp_attribute(const std::string& sdp, const std::string& key);

}  // namespace rtc_signaling::sim

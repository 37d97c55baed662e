#include "sim_peer_connection.hpp"

#include <algorithm>
#include <utility>

namespace rtc_signaling::sim {

std::string sdp_attribute(const std::string& sdp, const std::string& key) {
  const std::string needle = "\na=" + key + ":";
  const auto at = sdp.find(needle);
  if (at == std::string::npos) return "";
  const auto begin = at + needle.size();
  const auto end = sdp.find_first_of("\r\n", begin);
  return sdp.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

namespace {
const char* state_name(SignalingState state) {
  switch (state) {
    case SignalingState::stable: return "stable";
    case SignalingState::have_local_offer: return "have-local-offer";
    case SignalingState::have_remote_offer: return "have-remote-offer";
    case SignalingState::have_local_pranswer: return "have-local-pranswer";
    case SignalingState::have_remote_pranswer: return "have-remote-pranswer";
    case SignalingState::closed: return "closed";
  }
  return "?";
}

int sdp_tracks(const std::optional<Description>& description) {
  if (!description) return 0;
  const std::string value = sdp_attribute(description->sdp, "x-tracks");
  return value.empty() ? 0 : std::stoi(value);
}
}  // namespace

SimPeerConnection::SimPeerConnection(PeerId owner, PeerId remote, std::uint64_t seed)
    : owner_(std::move(owner)), remote_(std::move(remote)), seed_(seed) {}

OpResult SimPeerConnection::wrong_state(const std::string& what) {
  ++counters_.wrong_state;
  return OpResult{false, "InvalidStateError: " + what + " in state " + state_name(state_), {}};
}

OpResult SimPeerConnection::injected() {
  ++counters_.injected_failures;
  std::string reason = "OperationError: " + *fail_next_;
  fail_next_.reset();
  return OpResult{false, std::move(reason), {}};
}

std::string SimPeerConnection::new_ufrag() {
  // Unique across connections of one run: owner, seed and a counter.
  return owner_ + "-" + std::to_string(seed_ % 100000) + "-" + std::to_string(++ufrag_counter_);
}

std::string SimPeerConnection::make_sdp(const std::string& type, const std::string& ufrag,
                                        int tracks) {
  return "v=0\r\no=- " + std::to_string(seed_) + " " + std::to_string(++sdp_version_) +
         " IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:" + ufrag + "\r\na=ice-pwd:pwd" + ufrag +
         "\r\na=x-owner:" + owner_ + "\r\na=x-kind:" + type +
         "\r\na=x-tracks:" + std::to_string(tracks) + "\r\n";
}

void SimPeerConnection::committed() {
  local_ufrag_ = current_local_ ? sdp_attribute(current_local_->sdp, "ice-ufrag") : "";
  remote_ufrag_ = current_remote_ ? sdp_attribute(current_remote_->sdp, "ice-ufrag") : "";
  candidate_for_current_ =
      !remote_ufrag_.empty() && std::find(applied_candidate_ufrags_.begin(),
                                          applied_candidate_ufrags_.end(),
                                          remote_ufrag_) != applied_candidate_ufrags_.end();
}

bool SimPeerConnection::has_remote_candidate_for_current() const { return candidate_for_current_; }

bool SimPeerConnection::negotiation_needed() const { return tracks_ != negotiated_tracks_; }

void SimPeerConnection::set_state(SignalingState state) {
  if (state == state_) return;
  state_ = state;
  events_.push_back(input::SignalingStateChanged{remote_, state});
  // Browsers (re)fire negotiationneeded once the connection is back to stable.
  if (state == SignalingState::stable && negotiation_needed()) {
    events_.push_back(input::NegotiationNeeded{remote_});
  }
}

void SimPeerConnection::gather_candidates(const std::string& ufrag) {
  // Each ICE generation gathers once; renegotiation without a restart reuses it.
  static const char* const hosts[] = {"10.0.0.1"};
  int component = 0;
  for (const char* host : hosts) {
    ++component;
    Candidate candidate;
    candidate.candidate = "candidate:" + std::to_string(component) + " 1 udp 2122260223 " +
                          host + " " + std::to_string(50000 + component) + " typ host ufrag " +
                          ufrag;
    candidate.sdp_mid = "0";
    candidate.sdp_mline_index = 0;
    candidate.username_fragment = ufrag;
    events_.push_back(input::IceCandidate{remote_, candidate});
  }
  events_.push_back(input::IceCandidate{remote_, std::nullopt});
}

OpResult SimPeerConnection::set_local_description(const std::string& type, bool ice_restart) {
  if (state_ == SignalingState::closed) return wrong_state("setLocalDescription");
  if (fail_next_) return injected();
  const std::string old_ufrag = current_local_ufrag();
  std::string ufrag = old_ufrag;
  if (type == "offer") {
    if (state_ != SignalingState::stable && state_ != SignalingState::have_local_offer) {
      return wrong_state("setLocalDescription(offer)");
    }
    if (ice_restart || ufrag.empty()) ufrag = new_ufrag();
    pending_local_ = Description{"offer", make_sdp("offer", ufrag, tracks_)};
    ++counters_.offers;
    if (ice_restart) ++counters_.ice_restart_offers;
    set_state(SignalingState::have_local_offer);
    if (ufrag != old_ufrag) gather_candidates(ufrag);
    return OpResult{true, "", pending_local_};
  }
  if (type == "answer") {
    if (state_ != SignalingState::have_remote_offer) {
      return wrong_state("setLocalDescription(answer)");
    }
    // The answerer restarts ICE when the offerer did (its ufrag changed).
    const std::string offered = sdp_attribute(pending_remote_->sdp, "ice-ufrag");
    if (ufrag.empty() || offered != current_remote_ufrag()) ufrag = new_ufrag();
    // An answer cannot add m-lines: it only carries what has been negotiated.
    current_local_ = Description{"answer", make_sdp("answer", ufrag, negotiated_tracks_)};
    current_remote_ = std::move(pending_remote_);
    pending_remote_.reset();
    committed();
    ++counters_.answers;
    set_state(SignalingState::stable);
    if (ufrag != old_ufrag) gather_candidates(ufrag);
    return OpResult{true, "", current_local_};
  }
  if (type == "rollback") {
    if (state_ != SignalingState::have_local_offer &&
        state_ != SignalingState::have_remote_offer) {
      return wrong_state("setLocalDescription(rollback)");
    }
    pending_local_.reset();
    pending_remote_.reset();
    ++counters_.rollbacks;
    set_state(SignalingState::stable);
    return OpResult{true, "", current_local_};
  }
  return OpResult{false, "TypeError: unknown description type " + type, {}};
}

OpResult SimPeerConnection::set_remote_description(const Description& description) {
  if (state_ == SignalingState::closed) return wrong_state("setRemoteDescription");
  if (fail_next_) return injected();
  if (description.sdp.rfind("v=0", 0) != 0) {
    return OpResult{false, "OperationError: malformed SDP", {}};
  }
  if (description.type == "offer") {
    if (state_ != SignalingState::stable && state_ != SignalingState::have_remote_offer) {
      return wrong_state("setRemoteDescription(offer)");
    }
    if (sdp_attribute(description.sdp, "ice-ufrag") != current_remote_ufrag()) {
      remote_end_of_candidates_ = false;
    }
    pending_remote_ = description;
    set_state(SignalingState::have_remote_offer);
    return OpResult{true, "", {}};
  }
  if (description.type == "answer") {
    if (state_ != SignalingState::have_local_offer) {
      return wrong_state("setRemoteDescription(answer)");
    }
    if (sdp_attribute(description.sdp, "ice-ufrag") != current_remote_ufrag()) {
      remote_end_of_candidates_ = false;
    }
    negotiated_tracks_ = sdp_tracks(pending_local_);
    current_local_ = std::move(pending_local_);
    pending_local_.reset();
    current_remote_ = description;
    committed();
    set_state(SignalingState::stable);
    return OpResult{true, "", {}};
  }
  return OpResult{false, "TypeError: unsupported remote description type " + description.type, {}};
}

OpResult SimPeerConnection::add_ice_candidate(const std::optional<Candidate>& candidate) {
  if (state_ == SignalingState::closed) return wrong_state("addIceCandidate");
  if (fail_next_) return injected();
  const std::optional<Description>& remote = pending_remote_ ? pending_remote_ : current_remote_;
  if (!remote) return wrong_state("addIceCandidate without a remote description");
  if (!candidate) {
    remote_end_of_candidates_ = true;
    return OpResult{true, "", {}};
  }
  const std::string ufrag = sdp_attribute(remote->sdp, "ice-ufrag");
  if (candidate->username_fragment.value_or(ufrag) != ufrag) {
    ++counters_.unknown_ufrag;
    return OpResult{false, "OperationError: unknown ufrag " + *candidate->username_fragment, {}};
  }
  applied_candidate_ufrags_.push_back(ufrag);
  committed();
  return OpResult{true, "", {}};
}

void SimPeerConnection::add_track() {
  if (state_ == SignalingState::closed) return;
  ++tracks_;
  if (state_ == SignalingState::stable) events_.push_back(input::NegotiationNeeded{remote_});
}

void SimPeerConnection::close() {
  if (state_ == SignalingState::closed) return;
  state_ = SignalingState::closed;
  events_.push_back(input::SignalingStateChanged{remote_, SignalingState::closed});
}

std::vector<Input> SimPeerConnection::take_events() {
  std::vector<Input> events;
  events.swap(events_);
  return events;
}

std::optional<ConnectionState> SimIceLink::update(const SimPeerConnection& a,
                                                 const SimPeerConnection& b) {
  ConnectionState next;
  const bool generations_match = a.current_local_ufrag() == b.current_remote_ufrag() &&
                                 b.current_local_ufrag() == a.current_remote_ufrag();
  if (broken_ufrags_ && broken_ufrags_->first == a.current_local_ufrag() &&
      broken_ufrags_->second == b.current_local_ufrag()) {
    next = broken_state_;
  } else {
    broken_ufrags_.reset();
    if (a.signaling_state() == SignalingState::closed ||
        b.signaling_state() == SignalingState::closed) {
      next = ConnectionState::closed;
    } else if (!a.current_remote() || !b.current_remote()) {
      next = state_ == ConnectionState::new_ ? ConnectionState::new_ : ConnectionState::connecting;
    } else if (generations_match && a.has_remote_candidate_for_current() &&
               b.has_remote_candidate_for_current()) {
      next = ConnectionState::connected;
    } else if (generations_match && state_ == ConnectionState::connected) {
      next = ConnectionState::connected;  // renegotiation without an ICE restart keeps ICE up
    } else {
      next = ConnectionState::connecting;
    }
  }
  if (next == state_) return std::nullopt;
  state_ = next;
  if (next == ConnectionState::connected)
    carries_ = true;
  else if (next != ConnectionState::connecting)
    carries_ = false;
  return next;
}

void SimIceLink::break_(const SimPeerConnection& a, const SimPeerConnection& b,
                        ConnectionState state) {
  broken_ufrags_ = std::make_pair(a.current_local_ufrag(), b.current_local_ufrag());
  broken_state_ = state;
}

}  // namespace rtc_signaling::sim

// Perfect negotiation over a one-operation-at-a-time queue.
// Longer than our ~400-line guide on purpose: the rules below are one state machine over shared
// flags (making_offer, ignore_offer, the mirrored signaling state, the queue); split, a reader
// would have to hold several files in mind to check one transition.
//
// Decisions about a remote signal are deferred until no browser operation is in flight. The
// mirrored signaling state is then exact (we are the only party issuing operations on the
// connection), so offer_collision needs no guesswork: while our own offer is being set,
// making_offer is true and the signal waits; once it is set the state is have-local-offer and the
// collision is visible in the state. Deferring also avoids a false collision MDN's eager check
// has to special-case (an offer that arrives while our answer is still being applied).
//
// ICE restart roles: the impolite side restarts at once on `failed` and after ice_grace_ms of
// `disconnected`. The polite side waits one extra grace period (ice_grace_ms on `failed`,
// 2 * ice_grace_ms on `disconnected`) so both sides do not fire competing restart offers at the
// same moment; if the impolite side's restart has not repaired the connection by then, the polite
// side restarts itself (glare, should it still happen, is resolved as usual). While the state
// stays disconnected/failed the restart is retried on the same schedule.
#include "negotiation/negotiator.hpp"

#include <cstdint>
#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "rtc_signaling/error.hpp"
#include "sdp.hpp"

namespace rtc_signaling::negotiation {

namespace {

enum class OpKind { local_offer, local_answer, local_rollback, remote_offer, remote_answer, candidate };

const char* op_name(OpKind kind) {
  switch (kind) {
    case OpKind::local_offer: return "setLocalDescription(offer)";
    case OpKind::local_answer: return "setLocalDescription(answer)";
    case OpKind::local_rollback: return "setLocalDescription(rollback)";
    case OpKind::remote_offer: return "setRemoteDescription(offer)";
    case OpKind::remote_answer: return "setRemoteDescription(answer)";
    case OpKind::candidate: return "addIceCandidate";
  }
  return "operation";
}

}  // namespace

struct Negotiator::State {
  PeerId remote;
  bool polite = false;
  std::uint32_t ice_grace_ms = 0;
  std::uint32_t max_held_candidates = 0;

  SignalingState signaling = SignalingState::stable;
  ConnectionState connection = ConnectionState::new_;

  bool making_offer = false;
  bool ignore_offer = false;
  bool setting_remote_answer_pending = false;

  // Local wishes, honoured when idle and stable (browsers re-fire negotiationneeded, but we do not
  // rely on it).
  bool negotiation_pending = false;
  bool ice_restart_pending = false;
  // Our ICE-restart offer is being set or awaits its answer.
  bool restart_outstanding = false;
  // ICE ufrag of the last remote description applied; a change means the remote restarted ICE.
  std::string applied_remote_ufrag;
  // Remote credentials replaced since: their candidates are dropped, not applied. A candidate of
  // credentials not seen yet waits for the description that brings them (signals of one peer can
  // arrive out of order when its route changes, docs/ARCHITECTURE.md#in-band-signaling).
  // (A vector: a handful per call, and cheaper in code size than a set.) The oldest are
  // forgotten past kMaxReplacedUfrags, so a peer restarting ICE without end cannot grow it; a
  // candidate of forgotten credentials then waits like an unknown one, within max_held.
  static constexpr std::size_t kMaxReplacedUfrags = 16;
  std::vector<std::string> past_remote_ufrags;

  bool replaced(const std::string& ufrag) const {
    return std::find(past_remote_ufrags.begin(), past_remote_ufrags.end(), ufrag) !=
           past_remote_ufrags.end();
  }
  void remote_ufrag_applied(std::string ufrag) {
    if (!applied_remote_ufrag.empty() && ufrag != applied_remote_ufrag &&
        !replaced(applied_remote_ufrag)) {
      if (past_remote_ufrags.size() == kMaxReplacedUfrags)
        past_remote_ufrags.erase(past_remote_ufrags.begin());
      past_remote_ufrags.push_back(applied_remote_ufrag);
    }
    past_remote_ufrags.erase(std::remove(past_remote_ufrags.begin(), past_remote_ufrags.end(), ufrag),
                             past_remote_ufrags.end());
    applied_remote_ufrag = std::move(ufrag);
  }

  enum class Fit { now, later, never };
  Fit fit(const std::optional<Candidate>& c) const {
    if (!c || !c->username_fragment || c->username_fragment->empty() ||
        applied_remote_ufrag.empty() || *c->username_fragment == applied_remote_ufrag)
      return Fit::now;
    return replaced(*c->username_fragment) ? Fit::never : Fit::later;
  }

  struct InFlight {
    std::uint64_t op_id = 0;
    OpKind kind = OpKind::local_offer;
    // SetRemoteDescription: the description being applied. Polite rollback: the remote offer to
    // apply right after it.
    std::optional<Description> description;
  };
  std::optional<InFlight> in_flight;
  std::uint64_t next_op_id = 1;

  // Remote signals, in arrival order, not yet acted upon. Bounded (see remote_signal): the
  // candidates in it plus held_candidates stay within max_held_candidates.
  std::deque<SignalPayload> inbox;
  std::size_t inbox_descriptions = 0;
  // One error per overflow episode: a flood of candidates must not become a flood of events.
  bool overflow_reported = false;

  std::size_t waiting_candidates() const {
    return inbox.size() - inbox_descriptions + held_candidates.size();
  }

  void overflow(const std::string& what) {
    if (overflow_reported) return;
    overflow_reported = true;
    emit(output::Error{errc::bad_message, "peer " + remote + " " + what, false});
  }
  // Remote candidates that arrived before any remote description was applied.
  std::deque<std::optional<Candidate>> held_candidates;
  bool has_remote_description = false;
  // Local candidates gathered while our description is still being set; they must not overtake it.
  std::deque<std::optional<Candidate>> outgoing_candidates;
  // ICE ufrag of the last local description we sent ("" if it had none).
  std::optional<std::string> sent_local_ufrag;
  // End-of-candidates went out for the ICE credentials of our last local description.
  bool gathered = false;

  std::optional<TimeMs> restart_deadline;

  std::deque<Action> out;

  void emit(Action action) { out.push_back(std::move(action)); }

  void fail(const std::string& what, const std::string& why) {
    std::string message = what + " for peer " + remote + " failed";
    if (!why.empty()) message += ": " + why;
    emit(output::Error{errc::negotiation_failed, std::move(message), false});
  }

  std::uint64_t issue(OpKind kind) {
    const std::uint64_t id = next_op_id++;
    in_flight = InFlight{id, kind, std::nullopt};
    return id;
  }

  void issue_local(OpKind kind, bool ice_restart = false) {
    const char* type = kind == OpKind::local_offer    ? "offer"
                       : kind == OpKind::local_answer ? "answer"
                                                      : "rollback";
    const std::uint64_t id = issue(kind);
    if (kind == OpKind::local_offer) {
      making_offer = true;
      restart_outstanding = ice_restart;
    }
    emit(output::SetLocalDescription{remote, id, type, ice_restart});
  }

  void issue_remote(const Description& description) {
    const OpKind kind = description.type == "offer" ? OpKind::remote_offer : OpKind::remote_answer;
    const std::uint64_t id = issue(kind);
    in_flight->description = description;
    if (kind == OpKind::remote_answer) setting_remote_answer_pending = true;
    emit(output::SetRemoteDescription{remote, id, description});
  }

  void issue_candidate(const std::optional<Candidate>& candidate) {
    const std::uint64_t id = issue(OpKind::candidate);
    emit(output::AddIceCandidate{remote, id, candidate});
  }

  void flush_outgoing_candidates() {
    while (!outgoing_candidates.empty()) {
      send_candidate(outgoing_candidates.front());
      outgoing_candidates.pop_front();
    }
  }

  // A candidate must not overtake the description that introduces its ICE generation, but one of
  // the generation already sent must not wait behind the next description either (the receiver
  // would then apply it against the wrong ufrag). Browsers surface a new generation's candidates
  // only after setLocalDescription resolves, so an unattributed candidate seen while a local
  // description is being set belongs to the one already sent.
  bool must_hold(const std::optional<Candidate>& candidate) const {
    if (!outgoing_candidates.empty()) return true;  // keep order behind what is held
    const bool setting_local = in_flight && (in_flight->kind == OpKind::local_offer ||
                                             in_flight->kind == OpKind::local_answer);
    if (!setting_local) return false;
    if (!sent_local_ufrag) return true;
    if (candidate && candidate->username_fragment) {
      return *candidate->username_fragment != *sent_local_ufrag;
    }
    return false;
  }

  void send_candidate(const std::optional<Candidate>& candidate) {
    if (candidate) {
      emit(SendSignal{*candidate});
    } else {
      gathered = true;
      emit(SendSignal{EndOfCandidates{}});
    }
  }

  // Returns true when the description led to an operation being issued.
  bool handle_description(const Description& description) {
    if (description.type == "offer") {
      const bool offer_collision = making_offer || signaling != SignalingState::stable;
      ignore_offer = !polite && offer_collision;
      if (ignore_offer) {
        // Candidates held so far belong to the ignored offer's generation.
        held_candidates.clear();
        return false;
      }
      if (offer_collision) {
        if (signaling == SignalingState::have_local_offer) {
          issue_local(OpKind::local_rollback);
          in_flight->description = description;
          return true;
        }
        // have-remote-offer only happens after a failed answer that we could not roll back;
        // applying another offer there is legal in JSEP.
      }
      issue_remote(description);
      return true;
    }
    if (description.type == "answer") {
      // An answer only fits our outstanding offer; anything else is stale (e.g. it answers an
      // offer we rolled back) and applying it would be a wrong-state error.
      if (signaling != SignalingState::have_local_offer) return false;
      ignore_offer = false;
      issue_remote(description);
      return true;
    }
    return false;  // pranswer/rollback are never sent by this SDK
  }

  // Returns true when the candidate led to an operation being issued.
  bool handle_candidate(const std::optional<Candidate>& candidate) {
    if (ignore_offer) return false;  // belongs to an offer we ignored: dropped without error
    const Fit f = fit(candidate);
    if (!has_remote_description || f == Fit::later) {
      held_candidates.push_back(candidate);
      return false;
    }
    if (f == Fit::never) return false;  // of credentials the remote replaced
    issue_candidate(candidate);
    return true;
  }

  // Issues the first held candidate that fits the remote description now, dropping those of
  // replaced credentials; one of credentials still to come keeps waiting, and so does an
  // end-of-candidates behind it. True when an operation was issued.
  bool issue_held_candidate() {
    bool waiting = false;
    for (auto it = held_candidates.begin(); it != held_candidates.end();) {
      const Fit f = fit(*it);
      if (f == Fit::never) {
        it = held_candidates.erase(it);
      } else if (f == Fit::later || (waiting && !*it)) {
        waiting = true;
        ++it;
      } else {
        auto candidate = std::move(*it);
        held_candidates.erase(it);
        issue_candidate(candidate);
        return true;
      }
    }
    return false;
  }

  // Issue the next operation if nothing is in flight.
  void pump() {
    if (in_flight || signaling == SignalingState::closed) return;
    if (signaling == SignalingState::have_remote_offer) {
      issue_local(OpKind::local_answer);
      return;
    }
    if (has_remote_description && issue_held_candidate()) return;
    while (!inbox.empty()) {
      SignalPayload payload = std::move(inbox.front());
      inbox.pop_front();
      if (std::holds_alternative<Description>(payload)) --inbox_descriptions;
      bool issued = false;
      if (const auto* description = std::get_if<Description>(&payload)) {
        issued = handle_description(*description);
      } else if (const auto* candidate = std::get_if<Candidate>(&payload)) {
        issued = handle_candidate(*candidate);
      } else {
        issued = handle_candidate(std::nullopt);
      }
      if (issued) return;
    }
    if (signaling == SignalingState::stable && (negotiation_pending || ice_restart_pending)) {
      const bool restart = ice_restart_pending;
      negotiation_pending = false;
      ice_restart_pending = false;
      issue_local(OpKind::local_offer, restart);
    }
  }

  void done(const input::OperationDone& result) {
    const InFlight op = std::move(*in_flight);
    in_flight.reset();
    switch (op.kind) {
      case OpKind::local_offer:
        making_offer = false;
        if (result.ok) {
          signaling = SignalingState::have_local_offer;
          send_local(result);
        } else {
          restart_outstanding = false;
          fail(op_name(op.kind), result.error);
        }
        break;
      case OpKind::local_answer:
        if (result.ok) {
          signaling = SignalingState::stable;
          send_local(result);
        } else {
          fail(op_name(op.kind), result.error);
          // Leave have-remote-offer rather than wedge: roll the remote offer back and offer anew.
          issue_local(OpKind::local_rollback);
          negotiation_pending = true;
        }
        break;
      case OpKind::local_rollback:
        if (result.ok) {
          signaling = SignalingState::stable;
          // Whatever our rolled-back offer carried still needs negotiating once we are stable.
          negotiation_pending = true;
          if (restart_outstanding) ice_restart_pending = true;
          restart_outstanding = false;
          if (op.description) issue_remote(*op.description);
        } else {
          fail(op_name(op.kind), result.error);
        }
        break;
      case OpKind::remote_offer:
        if (result.ok) {
          signaling = SignalingState::have_remote_offer;
          has_remote_description = true;
          ignore_offer = false;
          const std::string ufrag = ice_ufrag(op.description->sdp);
          // The remote restarted ICE, and our answer restarts it on our side too.
          if (!applied_remote_ufrag.empty() && ufrag != applied_remote_ufrag) {
            ice_restart_pending = false;
          }
          remote_ufrag_applied(ufrag);
        } else {
          fail(op_name(op.kind), result.error);
          // Its candidates cannot apply either.
          ignore_offer = true;
          held_candidates.clear();
        }
        break;
      case OpKind::remote_answer:
        setting_remote_answer_pending = false;
        if (result.ok) {
          signaling = SignalingState::stable;
          has_remote_description = true;
          restart_outstanding = false;
          remote_ufrag_applied(ice_ufrag(op.description->sdp));
        } else {
          fail(op_name(op.kind), result.error);
          // Waiting for another answer would wedge us: withdraw the offer and try again.
          issue_local(OpKind::local_rollback);
        }
        break;
      case OpKind::candidate:
        if (!result.ok) fail(op_name(op.kind), result.error);
        break;
    }
    pump();
  }

  void send_local(const input::OperationDone& result) {
    if (result.local_description) {
      auto ufrag = ice_ufrag(result.local_description->sdp);
      if (ufrag != sent_local_ufrag) gathered = false;  // new credentials gather anew
      sent_local_ufrag = std::move(ufrag);
      emit(SendSignal{*result.local_description});
    } else {
      fail("setLocalDescription", "no local description reported");
    }
    flush_outgoing_candidates();
  }

  std::uint32_t restart_delay(ConnectionState state) const {
    const std::uint32_t base = ice_grace_ms;
    if (state == ConnectionState::failed) return polite ? base : 0;
    return polite ? 2 * base : base;
  }
};

Negotiator::Negotiator(PeerId remote, bool polite, std::uint32_t ice_grace_ms,
                       std::uint32_t max_held_candidates)
    : state_(std::make_shared<State>()) {
  state_->remote = std::move(remote);
  state_->polite = polite;
  state_->ice_grace_ms = ice_grace_ms;
  state_->max_held_candidates = max_held_candidates;
}

void Negotiator::negotiation_needed() {
  auto& s = *state_;
  if (s.signaling == SignalingState::closed) return;
  s.negotiation_pending = true;
  s.pump();
}

void Negotiator::remote_signal(const SignalPayload& payload) {
  auto& s = *state_;
  if (s.signaling == SignalingState::closed) return;
  if (std::holds_alternative<Description>(payload)) {
    if (s.inbox_descriptions >= kMaxQueuedDescriptions) {
      s.overflow("sent more than " + std::to_string(kMaxQueuedDescriptions) +
                 " descriptions before one could be applied; dropping the excess");
      return;
    }
    ++s.inbox_descriptions;
  } else if (s.waiting_candidates() >= s.max_held_candidates) {
    s.overflow("has " + std::to_string(s.max_held_candidates) +
               " remote candidates waiting; dropping the excess");
    return;
  }
  s.inbox.push_back(payload);
  s.pump();
  if (s.waiting_candidates() == 0 && s.inbox_descriptions == 0) s.overflow_reported = false;
}

void Negotiator::local_candidate(const std::optional<Candidate>& candidate) {
  auto& s = *state_;
  if (s.signaling == SignalingState::closed) return;
  if (s.must_hold(candidate)) {
    s.outgoing_candidates.push_back(candidate);
  } else {
    s.send_candidate(candidate);
  }
}

void Negotiator::signaling_state_changed(SignalingState state) {
  // Our mirror is derived from completed operations, which is exact because we issue every
  // operation; the browser's event is only authoritative for `closed`.
  auto& s = *state_;
  if (state == SignalingState::closed) {
    s.signaling = SignalingState::closed;
    s.in_flight.reset();
    s.inbox.clear();
    s.inbox_descriptions = 0;
    s.held_candidates.clear();
    s.outgoing_candidates.clear();
    s.restart_deadline.reset();
  }
}

void Negotiator::connection_state_changed(ConnectionState state, TimeMs now) {
  auto& s = *state_;
  if (state == s.connection) return;
  s.connection = state;
  s.emit(output::PeerStateChanged{s.remote, state});
  if (state == ConnectionState::disconnected || state == ConnectionState::failed) {
    const std::uint32_t delay = s.restart_delay(state);
    if (delay == 0) {
      s.restart_deadline.reset();
      restart_ice();
      // Retry if the restart does not get us out of `failed`.
      s.restart_deadline = now + s.ice_grace_ms;
    } else {
      const TimeMs at = now + delay;
      if (!s.restart_deadline || at < *s.restart_deadline) s.restart_deadline = at;
    }
  } else {
    s.restart_deadline.reset();
  }
}

void Negotiator::operation_done(const input::OperationDone& done) {
  auto& s = *state_;
  if (!s.in_flight || s.in_flight->op_id != done.op_id) return;  // stale or unknown
  s.done(done);
}

void Negotiator::restart_ice() {
  auto& s = *state_;
  if (s.signaling == SignalingState::closed) return;
  s.ice_restart_pending = true;
  s.pump();
}

void Negotiator::handle_timeout(TimeMs now) {
  auto& s = *state_;
  if (!s.restart_deadline || now < *s.restart_deadline) return;
  s.restart_deadline.reset();
  if (s.connection != ConnectionState::disconnected && s.connection != ConnectionState::failed) {
    return;
  }
  s.restart_deadline = now + s.restart_delay(ConnectionState::disconnected);
  if (s.restart_outstanding || s.ice_restart_pending) return;  // one restart at a time
  restart_ice();
}

std::optional<TimeMs> Negotiator::next_deadline() const { return state_->restart_deadline; }

std::optional<Action> Negotiator::poll() {
  auto& out = state_->out;
  if (out.empty()) return std::nullopt;
  Action action = std::move(out.front());
  out.pop_front();
  return action;
}

const PeerId& Negotiator::remote() const { return state_->remote; }
bool Negotiator::polite() const { return state_->polite; }
SignalingState Negotiator::signaling_state() const { return state_->signaling; }
ConnectionState Negotiator::connection_state() const { return state_->connection; }

bool Negotiator::settled() const {
  const auto& s = *state_;
  return s.connection == ConnectionState::connected && s.signaling == SignalingState::stable &&
         !s.in_flight && s.inbox.empty() && s.outgoing_candidates.empty() && s.gathered &&
         !s.making_offer && !s.negotiation_pending && !s.ice_restart_pending &&
         !s.restart_outstanding && !s.restart_deadline;
}

}  // namespace rtc_signaling::negotiation

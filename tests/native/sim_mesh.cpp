#include "sim_mesh.hpp"

#include <algorithm>
#include <iostream>
#include <type_traits>

namespace rtc_signaling::sim {

void EventLoop::at(TimeMs when, std::function<void()> task) {
  tasks_.push(Task{std::max(when, now_), seq_++, std::move(task)});
}

std::optional<TimeMs> EventLoop::next_time() const {
  if (tasks_.empty()) return std::nullopt;
  return tasks_.top().when;
}

bool EventLoop::run_one() {
  if (tasks_.empty()) return false;
  ++executed_;
  // priority_queue only exposes a const top; moving out is safe because we pop right away.
  Task task = std::move(const_cast<Task&>(tasks_.top()));
  tasks_.pop();
  now_ = std::max(now_, task.when);
  task.run();
  return true;
}

NegotiatorMesh::NegotiatorMesh(std::uint64_t seed, MeshOptions options)
    : options_(options), rng_(seed) {
  endpoints_.resize(static_cast<std::size_t>(options_.peers * options_.peers));
  links_.resize(endpoints_.size());
  for (int a = 0; a < options_.peers; ++a) {
    for (int b = 0; b < options_.peers; ++b) {
      if (a == b) continue;
      const PeerId self = peer_id(a);
      const PeerId remote = peer_id(b);
      // docs/ARCHITECTURE.md#negotiation-policies: the id that sorts lower is polite.
      const bool polite = self < remote;
      endpoints_[static_cast<std::size_t>(a * options_.peers + b)] = std::make_unique<Endpoint>(
                             self, remote,
                             negotiation::Negotiator(remote, polite, options_.ice_grace_ms),
                             SimPeerConnection(self, remote, seed * 16 + a * 4 + b));
    }
  }
}

Endpoint& NegotiatorMesh::endpoint(int self, int remote) {
  return *endpoints_[static_cast<std::size_t>(self * options_.peers + remote)];
}

NegotiatorMesh::Link& NegotiatorMesh::link(int a, int b) {
  return links_[static_cast<std::size_t>(std::min(a, b) * options_.peers + std::max(a, b))];
}
const NegotiatorMesh::Link& NegotiatorMesh::link(int a, int b) const {
  return links_[static_cast<std::size_t>(std::min(a, b) * options_.peers + std::max(a, b))];
}

TimeMs NegotiatorMesh::random_delay(TimeMs lo, TimeMs hi) {
  if (hi <= lo) return lo;
  return std::uniform_int_distribution<TimeMs>(lo, hi)(rng_);
}

void NegotiatorMesh::feed(Endpoint& e, const Input& input) {
  auto& n = e.negotiator;
  std::visit(
      [&](const auto& in) {
        using T = std::decay_t<decltype(in)>;
        if constexpr (std::is_same_v<T, input::NegotiationNeeded>) {
          n.negotiation_needed();
        } else if constexpr (std::is_same_v<T, input::IceCandidate>) {
          n.local_candidate(in.candidate);
        } else if constexpr (std::is_same_v<T, input::SignalingStateChanged>) {
          n.signaling_state_changed(in.state);
        } else if constexpr (std::is_same_v<T, input::ConnectionStateChanged>) {
          n.connection_state_changed(in.state, loop_.now());
        } else if constexpr (std::is_same_v<T, input::OperationDone>) {
          n.operation_done(in);
        }
      },
      input);
}

namespace {
int index_of(const PeerId& id) { return std::stoi(id.substr(1)); }
}  // namespace

void NegotiatorMesh::deliver_pc_events(Endpoint& e, std::vector<Input> events) {
  for (const auto& event : events) feed(e, event);
  drain(index_of(e.self), index_of(e.remote));
}

void NegotiatorMesh::drain(int self, int remote) {
  Endpoint& e = endpoint(self, remote);
  while (auto action = e.negotiator.poll()) {
    std::visit(
        [&](auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, output::SetLocalDescription>) {
            complete_op(self, remote, PcOp{a.op_id, PcOp::local, std::move(a.type),
                                           a.ice_restart, {}, {}});
          } else if constexpr (std::is_same_v<T, output::SetRemoteDescription>) {
            complete_op(self, remote,
                        PcOp{a.op_id, PcOp::remote, {}, false, std::move(a.description), {}});
          } else if constexpr (std::is_same_v<T, output::AddIceCandidate>) {
            ++e.add_candidate_ops;
            complete_op(self, remote,
                        PcOp{a.op_id, PcOp::candidate, {}, false, {}, std::move(a.candidate)});
          } else if constexpr (std::is_same_v<T, output::PeerStateChanged>) {
            e.reported_states.push_back(a.state);
          } else if constexpr (std::is_same_v<T, output::Error>) {
            e.errors.push_back(std::move(a));
          } else if constexpr (std::is_same_v<T, negotiation::SendSignal>) {
            schedule_signal(self, remote, std::move(a.payload));
          }
        },
        *action);
  }
}

std::string NegotiatorMesh::PcOp::label() const {
  switch (kind) {
    case local: return "setLocalDescription(" + type + ")";
    case remote: return "setRemoteDescription(" + description.type + ")";
    case candidate: return "addIceCandidate";
  }
  return "";
}

void NegotiatorMesh::complete_op(int self, int remote, PcOp op) {
  Endpoint& e = endpoint(self, remote);
  if (e.in_flight) ++e.concurrent_ops;
  e.in_flight = op.op_id;
  const TimeMs when = loop_.now() + random_delay(options_.min_op_delay, options_.max_op_delay);
  auto task = [this, self, remote, op = std::move(op)] {
    Endpoint& ep = endpoint(self, remote);
    if (ep.fail_next_op && *ep.fail_next_op == op.label()) {
      ep.pc.fail_next_operation("injected failure of " + op.label());
      ep.fail_next_op.reset();
    }
    OpResult result;
    switch (op.kind) {
      case PcOp::local: result = ep.pc.set_local_description(op.type, op.ice_restart); break;
      case PcOp::remote:
        result = ep.pc.set_remote_description(op.description);
        if (result.ok) ep.applied_remote.push_back(op.description);
        break;
      case PcOp::candidate: result = ep.pc.add_ice_candidate(op.ice_candidate); break;
    }
    ep.in_flight.reset();
    if (options_.trace) {
      std::cout << "[" << loop_.now() << "] " << ep.self << "->" << ep.remote << " " << op.label()
                << (result.ok ? " ok" : " FAILED " + result.error)
                << " state=" << static_cast<int>(ep.pc.signaling_state())
                << " lu=" << ep.pc.current_local_ufrag() << " ru=" << ep.pc.current_remote_ufrag()
                << "\n";
    }
    // Browsers fire signalingstatechange/negotiationneeded before resolving the promise; ICE
    // candidates come whenever gathering produces them, so put them on either side at random.
    const std::vector<Input> events = ep.pc.take_events();
    const bool candidates_first = std::uniform_int_distribution<int>(0, 1)(rng_) == 1;
    for (const auto& event : events) {
      if (candidates_first || !std::holds_alternative<input::IceCandidate>(event)) feed(ep, event);
    }
    ep.negotiator.operation_done(input::OperationDone{ep.remote, op.op_id, result.ok,
                                                      std::move(result.error),
                                                      std::move(result.local_description)});
    if (!candidates_first) {
      for (const auto& event : events) {
        if (std::holds_alternative<input::IceCandidate>(event)) feed(ep, event);
      }
    }
    drain(self, remote);
    update_link(self, remote);
  };
  if (e.stall_ops) {
    e.stalled.push_back(std::move(task));
  } else {
    loop_.at(when, std::move(task));
  }
}

void NegotiatorMesh::release_stalled(int self, int remote) {
  Endpoint& e = endpoint(self, remote);
  e.stall_ops = false;
  for (auto& task : e.stalled) loop_.at(loop_.now(), std::move(task));
  e.stalled.clear();
}

void NegotiatorMesh::schedule_signal(int self, int remote, SignalPayload payload) {
  Endpoint& from = endpoint(self, remote);
  if (from.hold_outgoing) {
    from.held.push_back(std::move(payload));
    return;
  }
  Link& l = link(self, remote);
  const int direction = self < remote ? 0 : 1;
  TimeMs when = loop_.now() + random_delay(options_.min_signal_delay, options_.max_signal_delay);
  if (options_.fifo_signals) {
    when = std::max(when, l.last_delivery[direction]);
    l.last_delivery[direction] = when;
  }
  loop_.at(when, [this, self, remote, payload = std::move(payload)] {
    Endpoint& to = endpoint(remote, self);
    if (options_.trace) {
      std::cout << "[" << loop_.now() << "] signal " << peer_id(self) << "=>" << peer_id(remote)
                << " ";
      if (auto* d = std::get_if<Description>(&payload)) {
        std::cout << d->type << " u=" << sdp_attribute(d->sdp, "ice-ufrag")
                  << " t=" << sdp_attribute(d->sdp, "x-tracks");
      } else if (auto* c = std::get_if<Candidate>(&payload)) {
        std::cout << "cand u=" << c->username_fragment.value_or("");
      } else {
        std::cout << "eoc";
      }
      std::cout << "\n";
    }
    if (!std::holds_alternative<Description>(payload)) ++to.candidate_signals_received;
    to.negotiator.remote_signal(payload);
    drain(remote, self);
    update_link(self, remote);
  });
}

void NegotiatorMesh::release_held(int self, int remote, const std::vector<std::size_t>& order) {
  Endpoint& e = endpoint(self, remote);
  std::vector<SignalPayload> held;
  held.swap(e.held);
  e.hold_outgoing = false;
  for (std::size_t index : order) schedule_signal(self, remote, held.at(index));
}

void NegotiatorMesh::add_track(int self, int remote) {
  Endpoint& e = endpoint(self, remote);
  e.pc.add_track();
  deliver_pc_events(e, e.pc.take_events());
}

void NegotiatorMesh::restart_ice(int self, int remote) {
  endpoint(self, remote).negotiator.restart_ice();
  drain(self, remote);
}

void NegotiatorMesh::break_link(int a, int b, ConnectionState state) {
  const int lo = std::min(a, b), hi = std::max(a, b);
  link(a, b).ice.break_(endpoint(lo, hi).pc, endpoint(hi, lo).pc, state);
  update_link(a, b);
}

ConnectionState NegotiatorMesh::pair_state(int a, int b) const { return link(a, b).ice.state(); }

void NegotiatorMesh::update_links() {
  for (int a = 0; a < options_.peers; ++a) {
    for (int b = a + 1; b < options_.peers; ++b) update_link(a, b);
  }
}

void NegotiatorMesh::update_link(int x, int y) {
  const int a = std::min(x, y), b = std::max(x, y);
  const auto next = link(a, b).ice.update(endpoint(a, b).pc, endpoint(b, a).pc);
  if (!next) return;
  feed(endpoint(a, b), input::ConnectionStateChanged{peer_id(b), *next});
  feed(endpoint(b, a), input::ConnectionStateChanged{peer_id(a), *next});
  drain(a, b);
  drain(b, a);
}

std::optional<TimeMs> NegotiatorMesh::next_timer() const {
  std::optional<TimeMs> best;
  for (const auto& e : endpoints_) {
    if (!e) continue;
    auto d = e->negotiator.next_deadline();
    if (d && (!best || *d < *best)) best = d;
  }
  return best;
}

void NegotiatorMesh::run_until(TimeMs until) {
  run_until_quiet(until);
  loop_.advance_to(until);
}

void NegotiatorMesh::run_until_quiet(TimeMs limit) {
  for (;;) {
    const auto task = loop_.next_time();
    const auto timer = next_timer();
    const bool timer_first = timer && (!task || *timer < *task);
    const std::optional<TimeMs> next = timer_first ? timer : task;
    if (!next || *next > limit) break;
    if (!timer_first) {
      loop_.run_one();
      continue;
    }
    loop_.advance_to(*timer);
    for (auto& e : endpoints_) {
      if (!e) continue;
      auto d = e->negotiator.next_deadline();
      if (d && *d <= loop_.now()) {
        e->negotiator.handle_timeout(loop_.now());
        drain(index_of(e->self), index_of(e->remote));
      }
    }
    update_links();
  }
}

std::string NegotiatorMesh::convergence_problem(int a, int b) {
  Endpoint& x = endpoint(a, b);
  Endpoint& y = endpoint(b, a);
  const std::string pair = peer_id(a) + "<->" + peer_id(b) + ": ";
  for (Endpoint* e : {&x, &y}) {
    const std::string side = e->self + " ";
    if (e->pc.signaling_state() != SignalingState::stable) return pair + side + "pc not stable";
    if (e->negotiator.signaling_state() != SignalingState::stable) {
      return pair + side + "negotiator not stable";
    }
    if (e->pc.counters().wrong_state != 0) return pair + side + "wrong-state failures";
    if (e->pc.counters().unknown_ufrag != 0) return pair + side + "stale candidates applied";
    if (e->concurrent_ops != 0) return pair + side + "concurrent operations";
    if (e->in_flight) return pair + side + "operation still in flight";
    if (e->pc.negotiation_needed()) return pair + side + "negotiation still needed";
    if (!e->pc.current_local() || !e->pc.current_remote()) return pair + side + "no descriptions";
  }
  if (*x.pc.current_local() != *y.pc.current_remote() ||
      *x.pc.current_remote() != *y.pc.current_local()) {
    return pair + "descriptions differ";
  }
  if (pair_state(a, b) != ConnectionState::connected) return pair + "not connected";
  if (x.negotiator.connection_state() != ConnectionState::connected ||
      y.negotiator.connection_state() != ConnectionState::connected) {
    return pair + "negotiator does not mirror connected";
  }
  return "";
}

}  // namespace rtc_signaling::sim

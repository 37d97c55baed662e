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
  Task task = tasks_.top();
  tasks_.pop();
  now_ = std::max(now_, task.when);
  task.run();
  return true;
}

NegotiatorMesh::NegotiatorMesh(std::uint64_t seed, MeshOptions options)
    : options_(options), rng_(seed) {
  for (int a = 0; a < options_.peers; ++a) {
    for (int b = 0; b < options_.peers; ++b) {
      if (a == b) continue;
      const PeerId self = peer_id(a);
      const PeerId remote = peer_id(b);
      // DESIGN §3.3: the id that sorts lower is polite.
      const bool polite = self < remote;
      endpoints_.emplace(std::make_pair(a, b),
                         std::make_unique<Endpoint>(
                             self, remote,
                             negotiation::Negotiator(remote, polite, options_.ice_grace_ms),
                             SimPeerConnection(self, remote, seed * 16 + a * 4 + b)));
      if (a < b) links_.emplace(std::make_pair(a, b), Link{});
    }
  }
}

Endpoint& NegotiatorMesh::endpoint(int self, int remote) {
  return *endpoints_.at({self, remote});
}

NegotiatorMesh::Link& NegotiatorMesh::link(int a, int b) {
  return links_.at({std::min(a, b), std::max(a, b)});
}
const NegotiatorMesh::Link& NegotiatorMesh::link(int a, int b) const {
  return links_.at({std::min(a, b), std::max(a, b)});
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
            const std::string type = a.type;
            const bool restart = a.ice_restart;
            complete_op(self, remote, a.op_id, "setLocalDescription(" + type + ")",
                        [type, restart](SimPeerConnection& pc) {
                          return pc.set_local_description(type, restart);
                        });
          } else if constexpr (std::is_same_v<T, output::SetRemoteDescription>) {
            const Description d = a.description;
            complete_op(self, remote, a.op_id, "setRemoteDescription(" + d.type + ")",
                        [d, &e](SimPeerConnection& pc) {
                          OpResult r = pc.set_remote_description(d);
                          if (r.ok) e.applied_remote.push_back(d);
                          return r;
                        });
          } else if constexpr (std::is_same_v<T, output::AddIceCandidate>) {
            ++e.add_candidate_ops;
            const std::optional<Candidate> c = a.candidate;
            complete_op(self, remote, a.op_id, "addIceCandidate",
                        [c](SimPeerConnection& pc) { return pc.add_ice_candidate(c); });
          } else if constexpr (std::is_same_v<T, output::PeerStateChanged>) {
            e.reported_states.push_back(a.state);
          } else if constexpr (std::is_same_v<T, output::Error>) {
            e.errors.push_back(a);
          } else if constexpr (std::is_same_v<T, negotiation::SendSignal>) {
            schedule_signal(self, remote, a.payload);
          }
        },
        *action);
  }
}

void NegotiatorMesh::complete_op(int self, int remote, std::uint64_t op_id, std::string label,
                                 std::function<OpResult(SimPeerConnection&)> op) {
  Endpoint& e = endpoint(self, remote);
  if (e.in_flight) ++e.concurrent_ops;
  e.in_flight = op_id;
  const TimeMs when = loop_.now() + random_delay(options_.min_op_delay, options_.max_op_delay);
  auto task = [this, self, remote, op_id, label, op] {
    Endpoint& ep = endpoint(self, remote);
    if (ep.fail_next_op && *ep.fail_next_op == label) {
      ep.pc.fail_next_operation("injected failure of " + label);
      ep.fail_next_op.reset();
    }
    OpResult result = op(ep.pc);
    ep.in_flight.reset();
    if (options_.trace) {
      std::cout << "[" << loop_.now() << "] " << ep.self << "->" << ep.remote << " " << label
                << (result.ok ? " ok" : " FAILED " + result.error)
                << " state=" << static_cast<int>(ep.pc.signaling_state())
                << " lu=" << ep.pc.current_local_ufrag() << " ru=" << ep.pc.current_remote_ufrag()
                << "\n";
    }
    // Browsers fire signalingstatechange/negotiationneeded before resolving the promise; ICE
    // candidates come whenever gathering produces them, so put them on either side at random.
    std::vector<Input> before, candidates;
    for (auto& event : ep.pc.take_events()) {
      (std::holds_alternative<input::IceCandidate>(event) ? candidates : before)
          .push_back(std::move(event));
    }
    const bool candidates_first = std::uniform_int_distribution<int>(0, 1)(rng_) == 1;
    if (candidates_first) before.insert(before.end(), candidates.begin(), candidates.end());
    for (const auto& event : before) feed(ep, event);
    feed(ep, input::OperationDone{ep.remote, op_id, result.ok, result.error,
                                  result.local_description});
    if (!candidates_first) {
      for (const auto& event : candidates) feed(ep, event);
    }
    drain(self, remote);
    update_links();
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
    update_links();
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
  Link& l = link(a, b);
  const int lo = std::min(a, b), hi = std::max(a, b);
  l.broken_ufrags = std::make_pair(endpoint(lo, hi).pc.current_local_ufrag(),
                                   endpoint(hi, lo).pc.current_local_ufrag());
  l.broken_state = state;
  update_links();
}

ConnectionState NegotiatorMesh::pair_state(int a, int b) const { return link(a, b).state; }

void NegotiatorMesh::update_links() {
  for (auto& [key, l] : links_) {
    const auto& pa = endpoints_.at(key)->pc;
    const auto& pb = endpoints_.at({key.second, key.first})->pc;
    ConnectionState next;
    if (l.broken_ufrags && l.broken_ufrags->first == pa.current_local_ufrag() &&
        l.broken_ufrags->second == pb.current_local_ufrag()) {
      next = l.broken_state;
    } else {
      l.broken_ufrags.reset();
      if (!pa.current_remote() || !pb.current_remote()) {
        next = l.state == ConnectionState::new_ ? ConnectionState::new_
                                                : ConnectionState::connecting;
      } else if (pa.current_local_ufrag() == pb.current_remote_ufrag() &&
                 pb.current_local_ufrag() == pa.current_remote_ufrag() &&
                 pa.has_remote_candidate_for_current() && pb.has_remote_candidate_for_current()) {
        next = ConnectionState::connected;
      } else if (l.state == ConnectionState::connected && pa.current_local_ufrag() ==
                                                              pb.current_remote_ufrag() &&
                 pb.current_local_ufrag() == pa.current_remote_ufrag()) {
        next = ConnectionState::connected;  // renegotiation without restart keeps ICE up
      } else {
        next = ConnectionState::connecting;
      }
    }
    if (next == l.state) continue;
    l.state = next;
    const int a = key.first, b = key.second;
    feed(endpoint(a, b), input::ConnectionStateChanged{peer_id(b), next});
    feed(endpoint(b, a), input::ConnectionStateChanged{peer_id(a), next});
    drain(a, b);
    drain(b, a);
  }
}

std::optional<TimeMs> NegotiatorMesh::next_timer() const {
  std::optional<TimeMs> best;
  for (const auto& [key, e] : endpoints_) {
    auto d = e->negotiator.next_deadline();
    if (d && (!best || *d < *best)) best = d;
  }
  return best;
}

void NegotiatorMesh::run_until(TimeMs until) {
  for (;;) {
    const auto task = loop_.next_time();
    const auto timer = next_timer();
    const bool timer_first = timer && (!task || *timer < *task);
    const std::optional<TimeMs> next = timer_first ? timer : task;
    if (!next || *next > until) break;
    if (timer_first) {
      loop_.advance_to(*timer);
      for (auto& [key, e] : endpoints_) {
        auto d = e->negotiator.next_deadline();
        if (d && *d <= loop_.now()) {
          e->negotiator.handle_timeout(loop_.now());
          drain(key.first, key.second);
        }
      }
      update_links();
    } else {
      loop_.run_one();
    }
  }
  loop_.advance_to(until);
}

void NegotiatorMesh::run_until_quiet(TimeMs limit) {
  while (!loop_.empty() || next_timer()) {
    const auto task = loop_.next_time();
    const auto timer = next_timer();
    TimeMs next = task ? *task : *timer;
    if (timer && *timer < next) next = *timer;
    if (next > limit) break;
    run_until(next);
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

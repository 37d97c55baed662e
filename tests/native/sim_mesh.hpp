// A deterministic world of Negotiators wired pairwise through a seeded signaling channel and fake
// peer connections whose operations complete after seeded delays on a virtual clock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "negotiation/negotiator.hpp"
#include "sim_peer_connection.hpp"

namespace rtc_signaling::sim {

/// A virtual clock plus a time-ordered task queue (ties run in scheduling order).
class EventLoop {
 public:
  TimeMs now() const { return now_; }
  void at(TimeMs when, std::function<void()> task);
  bool empty() const { return tasks_.empty(); }
  std::optional<TimeMs> next_time() const;
  /// Run the earliest task (advancing the clock). False if none.
  bool run_one();
  void advance_to(TimeMs when) {
    if (when > now_) now_ = when;
  }

 private:
  struct Task {
    TimeMs when;
    std::uint64_t seq;
    std::function<void()> run;
    bool operator>(const Task& other) const {
      return when != other.when ? when > other.when : seq > other.seq;
    }
  };
  TimeMs now_ = 0;
  std::uint64_t seq_ = 0;

 public:
  std::uint64_t executed_ = 0;

 private:
  std::priority_queue<Task, std::vector<Task>, std::greater<Task>> tasks_;
};

struct MeshOptions {
  int peers = 2;
  std::uint32_t ice_grace_ms = 5'000;
  TimeMs min_signal_delay = 1;
  TimeMs max_signal_delay = 40;
  TimeMs min_op_delay = 0;
  TimeMs max_op_delay = 15;
  /// Keep each direction's signals in order (the native server relays in order on one socket).
  bool fifo_signals = true;
  bool trace = false;  ///< print every operation and signal (debugging a failing seed)
};

/// One side of a pair: peer `self`'s negotiator and connection towards `remote`.
struct Endpoint {
  Endpoint(PeerId self_id, PeerId remote_id, negotiation::Negotiator n, SimPeerConnection p)
      : self(std::move(self_id)), remote(std::move(remote_id)), negotiator(std::move(n)),
        pc(std::move(p)) {}
  PeerId self;
  PeerId remote;
  negotiation::Negotiator negotiator;
  SimPeerConnection pc;
  std::vector<output::Error> errors;
  std::vector<ConnectionState> reported_states;  ///< PeerStateChanged, in order
  std::vector<Description> applied_remote;       ///< remote descriptions the pc accepted
  int candidate_signals_received = 0;
  int add_candidate_ops = 0;
  int concurrent_ops = 0;  ///< an operation issued while another was in flight
  std::optional<std::uint64_t> in_flight;
  std::optional<std::string> fail_next_op;  ///< op name (see op_label) to fail once
  bool hold_outgoing = false;
  std::vector<SignalPayload> held;
  bool stall_ops = false;  ///< completions wait for release_stalled()
  std::vector<std::function<void()>> stalled;
};

class NegotiatorMesh {
 public:
  NegotiatorMesh(std::uint64_t seed, MeshOptions options);

  static PeerId peer_id(int index) { return "p" + std::to_string(index); }
  Endpoint& endpoint(int self, int remote);
  int peers() const { return options_.peers; }
  EventLoop& loop() { return loop_; }
  std::mt19937_64& rng() { return rng_; }

  /// addTrack / createDataChannel on self's connection to remote.
  void add_track(int self, int remote);
  void restart_ice(int self, int remote);  ///< app request
  /// ICE fails for the pair's current generation: both sides see `state` until ufrags change.
  void break_link(int a, int b, ConnectionState state);
  /// Release held signals of self->remote in the given order of indices into `held`.
  void release_held(int self, int remote, const std::vector<std::size_t>& order);

  /// Let stalled completions of self->remote run now.
  void release_stalled(int self, int remote);

  /// Run tasks and negotiator timers up to `until` (inclusive).
  void run_until(TimeMs until);
  /// Run until nothing is scheduled and no timer is due before `limit`.
  void run_until_quiet(TimeMs limit);

  ConnectionState pair_state(int a, int b) const;
  /// Empty when the pair is converged; otherwise why not.
  std::string convergence_problem(int a, int b);

 private:
  struct Link {
    SimIceLink ice;
    TimeMs last_delivery[2] = {0, 0};
  };
  Link& link(int a, int b);
  const Link& link(int a, int b) const;
  TimeMs random_delay(TimeMs lo, TimeMs hi);
  void feed(Endpoint& e, const Input& input);
  void deliver_pc_events(Endpoint& e, std::vector<Input> events);
  void drain(int self, int remote);
  void schedule_signal(int self, int remote, SignalPayload payload);
  struct PcOp {
    std::uint64_t op_id = 0;
    enum Kind { local, remote, candidate } kind = local;
    std::string type;  // local
    bool ice_restart = false;
    Description description;                  // remote
    std::optional<Candidate> ice_candidate;  // candidate
    std::string label() const;
  };
  void complete_op(int self, int remote, PcOp op);
  void update_links();
  void update_link(int a, int b);
  std::optional<TimeMs> next_timer() const;

  MeshOptions options_;
  std::mt19937_64 rng_;
  EventLoop loop_;
  // Indexed [self * peers + remote]; unique_ptr keeps Endpoint addresses stable.
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::vector<Link> links_;  // indexed like endpoints_, with self < remote
};

}  // namespace rtc_signaling::sim

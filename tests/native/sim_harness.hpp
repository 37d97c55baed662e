// Several real Clients in one room of an in-memory native-dialect server, with fake JSEP peer
// connections, on a virtual clock. Frames travel over per-client ordered "sockets" with seeded
// delays; browser operations complete after seeded delays, so completions of different peers and
// clients interleave arbitrarily.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "messages.hpp"
#include "rtc_signaling/client.hpp"
#include "sim_mesh.hpp"
#include "sim_peer_connection.hpp"

namespace rtc_signaling::sim {

struct HarnessOptions {
  int clients = 2;
  TimeMs min_frame_delay = 1;
  TimeMs max_frame_delay = 30;
  TimeMs min_op_delay = 0;
  TimeMs max_op_delay = 15;
  std::uint32_t ice_grace_ms = 2'000;
  /// Config::in_band_signaling on every client; their signaling channels open once both ends
  /// asked for one and the link is connected, and carry messages in order only while it is
  /// (what is written meanwhile waits, like SCTP data on a broken path).
  bool in_band = false;
};

class ClientHarness {
 public:
  ClientHarness(std::uint64_t seed, HarnessOptions options);
  ~ClientHarness();

  int clients() const { return static_cast<int>(clients_.size()); }
  EventLoop& loop() { return loop_; }
  std::mt19937_64& rng() { return rng_; }

  void join(int client);
  void leave(int client);
  /// A new local track on every connection of `client` (setLocalStream adds to each one).
  void add_track(int client);
  /// App asks for an ICE restart towards another client (no-op until both have joined).
  void restart_ice(int client, int other);
  /// The ICE transport between two clients' connections drops (`disconnected` or `failed`).
  void break_link(int a, int b, ConnectionState state);
  bool connected(int a, int b);
  /// The server stops relaying (frames both ways wait) until resumed; sockets stay up.
  void stall_server(bool stalled);
  /// Signaling channel of a's connection to b closes (both ends see it).
  void close_channel(int a, int b);
  bool channel_open(int a, int b);
  /// Signals the server relayed, over the whole run.
  int server_signals() const { return server_signals_; }

  /// Run tasks and client timers up to `until`.
  void run_until(TimeMs until);

  const PeerId& id(int client) const;
  Client& client(int index);
  SimPeerConnection* pc(int client, int other);
  /// Empty when the two clients' connections are converged; otherwise why not.
  std::string convergence_problem(int a, int b);
  const std::vector<output::Error>& errors(int client) const;

 private:
  struct SimClient;
  struct ServerMember;
  void handle(int index, Input input);
  void drain(int index);
  void execute(int index, Output output);
  void run_op(int index, const PeerId& peer, std::uint64_t op_id, int kind, std::string type,
              bool ice_restart, Description description, std::optional<Candidate> candidate);
  void deliver_pc_events(int index, const PeerId& peer, bool candidates);
  void to_server(int index, std::string frame);
  void to_client(int index, const msg::ServerMessage& message);
  void server_receive(int index, const std::string& frame);
  void update_link(int a, int b);
  void update_channel(int a, int b);
  void channel_send(int index, const PeerId& peer, std::string text);
  SimIceLink& link(int a, int b);
  int index_of(const PeerId& id) const;

  HarnessOptions options_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  EventLoop loop_;
  std::vector<std::unique_ptr<SimClient>> clients_;
  std::map<std::pair<int, int>, SimIceLink> links_;
  bool stalled_ = false;
  std::vector<std::function<void()>> stalled_tasks_;
  int server_signals_ = 0;
  struct Channel {
    bool open = false;
    bool closed = false;
    std::vector<std::pair<int, std::string>> waiting;  ///< (sender, text) while the link is down
    TimeMs last[2] = {0, 0};                             ///< FIFO per direction
  };
  std::map<std::pair<int, int>, Channel> channels_;
};

}  // namespace rtc_signaling::sim

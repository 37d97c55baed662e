#include "sim_harness.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "dialects/native.hpp"

namespace rtc_signaling::sim {

struct ClientHarness::SimClient {
  SimClient(int i, Config config, PeerId assigned)
      : index(i), client(std::move(config)), id(std::move(assigned)) {}
  int index;
  Client client;
  PeerId id;  ///< what the server will assign on join
  int tracks = 0;
  std::map<PeerId, std::unique_ptr<SimPeerConnection>> pcs;
  std::set<PeerId> channel_requested;
  std::map<PeerId, std::uint64_t> in_flight;
  int concurrent_ops = 0;
  std::vector<output::Error> errors;
  TimeMs last_up = 0;    // FIFO socket client -> server
  TimeMs last_down = 0;  // FIFO socket server -> client
  // Server-side view of this member.
  bool joined = false;
  msg::Seq out_seq = 0;
  msg::Seq last_in = 0;
  int server_rejects = 0;
};

namespace {
enum OpKind { kLocal, kRemote, kCandidate };
}

ClientHarness::ClientHarness(std::uint64_t seed, HarnessOptions options)
    : options_(options), seed_(seed), rng_(seed) {
  for (int i = 0; i < options_.clients; ++i) {
    // Random ids so the polite/impolite roles and the join order vary independently.
    std::string id;
    for (int c = 0; c < 4; ++c) id += static_cast<char>('a' + rng_() % 26);
    id += std::to_string(i);
    Config config;
    config.url = "ws://sim.test/signal";
    config.room = "r1";
    config.name = "client" + std::to_string(i);
    config.seed = seed * 8 + static_cast<std::uint64_t>(i);
    config.ice_grace_ms = options_.ice_grace_ms;
    config.in_band_signaling = options_.in_band;
    clients_.push_back(std::make_unique<SimClient>(i, std::move(config), std::move(id)));
  }
}

ClientHarness::~ClientHarness() = default;

const PeerId& ClientHarness::id(int client) const { return clients_.at(client)->id; }
Client& ClientHarness::client(int index) { return clients_.at(index)->client; }
const std::vector<output::Error>& ClientHarness::errors(int client) const {
  return clients_.at(client)->errors;
}

int ClientHarness::index_of(const PeerId& id) const {
  for (const auto& c : clients_) {
    if (c->id == id) return c->index;
  }
  return -1;
}

SimPeerConnection* ClientHarness::pc(int client, int other) {
  auto& pcs = clients_.at(client)->pcs;
  auto it = pcs.find(id(other));
  return it == pcs.end() ? nullptr : it->second.get();
}

SimIceLink& ClientHarness::link(int a, int b) { return links_[{std::min(a, b), std::max(a, b)}]; }

void ClientHarness::handle(int index, Input input) {
  clients_.at(index)->client.handle(std::move(input), loop_.now());
  drain(index);
}

void ClientHarness::drain(int index) {
  auto& c = *clients_.at(index);
  while (auto out = c.client.poll(loop_.now())) execute(index, std::move(*out));
}

void ClientHarness::execute(int index, Output output) {
  auto& c = *clients_.at(index);
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, output::OpenSocket>) {
          loop_.at(loop_.now() + options_.min_frame_delay,
                   [this, index] { handle(index, input::SocketOpened{}); });
        } else if constexpr (std::is_same_v<T, output::SendFrame>) {
          to_server(index, std::move(o.text));
        } else if constexpr (std::is_same_v<T, output::CreatePeerConnection>) {
          auto pc = std::make_unique<SimPeerConnection>(
              c.id, o.peer, seed_ * 64 + static_cast<std::uint64_t>(index) * 8 +
                                static_cast<std::uint64_t>(std::max(0, index_of(o.peer))));
          pc->add_track();  // the negotiated data channel every connection carries
          for (int t = 0; t < c.tracks; ++t) pc->add_track();
          c.pcs[o.peer] = std::move(pc);
          c.channel_requested.erase(o.peer);
          if (const int other = index_of(o.peer); other >= 0)
            channels_.erase({std::min(index, other), std::max(index, other)});
          const PeerId peer = o.peer;
          loop_.at(loop_.now(), [this, index, peer] { deliver_pc_events(index, peer, true); });
        } else if constexpr (std::is_same_v<T, output::ClosePeerConnection>) {
          auto it = c.pcs.find(o.peer);
          if (it != c.pcs.end()) {
            it->second->close();
            c.pcs.erase(it);
          }
          c.channel_requested.erase(o.peer);
          if (const int other = index_of(o.peer); other >= 0) {
            auto ch = channels_.find({std::min(index, other), std::max(index, other)});
            if (ch != channels_.end()) {
              const bool was_open = ch->second.open;
              channels_.erase(ch);
              // The remote's SCTP association aborts: its channel closes too.
              const PeerId self = c.id;
              if (was_open)
                loop_.at(loop_.now() + options_.min_frame_delay, [this, other, self] {
                  if (clients_.at(other)->pcs.count(self) != 0)
                    handle(other, input::SignalChannelChanged{self, false});
                });
            }
          }
        } else if constexpr (std::is_same_v<T, output::OpenSignalChannel>) {
          c.channel_requested.insert(o.peer);
          if (const int other = index_of(o.peer); other >= 0) update_channel(index, other);
        } else if constexpr (std::is_same_v<T, output::SendOnSignalChannel>) {
          channel_send(index, o.peer, std::move(o.text));
        } else if constexpr (std::is_same_v<T, output::SetLocalDescription>) {
          run_op(index, o.peer, o.op_id, kLocal, o.type, o.ice_restart, {}, {});
        } else if constexpr (std::is_same_v<T, output::SetRemoteDescription>) {
          run_op(index, o.peer, o.op_id, kRemote, "", false, std::move(o.description), {});
        } else if constexpr (std::is_same_v<T, output::AddIceCandidate>) {
          run_op(index, o.peer, o.op_id, kCandidate, "", false, {}, std::move(o.candidate));
        } else if constexpr (std::is_same_v<T, output::Error>) {
          c.errors.push_back(std::move(o));
        }
        // Other app events (Joined, PeerJoined, PeerStateChanged, ...) need no action here.
      },
      output);
}

void ClientHarness::deliver_pc_events(int index, const PeerId& peer, bool candidates) {
  auto& c = *clients_.at(index);
  auto it = c.pcs.find(peer);
  if (it == c.pcs.end()) return;
  for (auto& event : it->second->take_events()) {
    if (!candidates && std::holds_alternative<input::IceCandidate>(event)) {
      // Fired after the operation's completion: put it back behind OperationDone.
      loop_.at(loop_.now(), [this, index, event] { handle(index, event); });
      continue;
    }
    handle(index, std::move(event));
  }
}

void ClientHarness::run_op(int index, const PeerId& peer, std::uint64_t op_id, int kind,
                           std::string type, bool ice_restart, Description description,
                           std::optional<Candidate> candidate) {
  auto& c = *clients_.at(index);
  if (c.in_flight.count(peer) != 0) ++c.concurrent_ops;
  c.in_flight[peer] = op_id;
  const TimeMs delay = std::uniform_int_distribution<TimeMs>(options_.min_op_delay,
                                                             options_.max_op_delay)(rng_);
  loop_.at(loop_.now() + delay, [=, this, type = std::move(type),
                                 description = std::move(description),
                                 candidate = std::move(candidate)] {
    auto& sc = *clients_.at(index);
    sc.in_flight.erase(peer);
    auto it = sc.pcs.find(peer);
    if (it == sc.pcs.end()) return;  // closed meanwhile: the core forgot this peer
    SimPeerConnection& p = *it->second;
    OpResult result;
    if (kind == kLocal) {
      result = p.set_local_description(type, ice_restart);
    } else if (kind == kRemote) {
      result = p.set_remote_description(description);
    } else {
      result = p.add_ice_candidate(candidate);
    }
    const bool candidates_first = rng_() % 2 == 0;
    deliver_pc_events(index, peer, candidates_first);
    handle(index, input::OperationDone{peer, op_id, result.ok, result.error,
                                       result.local_description});
    const int other = index_of(peer);
    if (other >= 0) update_link(index, other);
  });
}

void ClientHarness::update_link(int x, int y) {
  // The link's broken-generation record is oriented (lower index first).
  const int a = std::min(x, y), b = std::max(x, y);
  SimPeerConnection* pa = pc(a, b);
  SimPeerConnection* pb = pc(b, a);
  if (!pa || !pb) return;
  const auto next = link(a, b).update(*pa, *pb);
  if (!next) return;
  handle(a, input::ConnectionStateChanged{id(b), *next});
  handle(b, input::ConnectionStateChanged{id(a), *next});
  update_channel(a, b);
}

void ClientHarness::update_channel(int x, int y) {
  const int a = std::min(x, y), b = std::max(x, y);
  if (!pc(a, b) || !pc(b, a) || !link(a, b).carries()) return;
  auto& ch = channels_[{a, b}];
  if (ch.closed) return;
  if (!ch.open) {
    if (clients_[a]->channel_requested.count(id(b)) == 0 ||
        clients_[b]->channel_requested.count(id(a)) == 0)
      return;
    ch.open = true;
    loop_.at(loop_.now() + options_.min_frame_delay, [this, a, b] {
      for (auto [self, other] : {std::pair{a, b}, std::pair{b, a}}) {
        if (pc(self, other)) handle(self, input::SignalChannelChanged{id(other), true});
      }
    });
    return;
  }
  // The path is back: what waited in the association goes out in order.
  auto waiting = std::move(ch.waiting);
  ch.waiting.clear();
  for (auto& [sender, text] : waiting) channel_send(sender, id(sender == a ? b : a), text);
}

void ClientHarness::channel_send(int index, const PeerId& peer, std::string text) {
  const int other = index_of(peer);
  if (other < 0) return;
  const int a = std::min(index, other), b = std::max(index, other);
  auto it = channels_.find({a, b});
  if (it == channels_.end() || !it->second.open || it->second.closed) return;
  Channel& ch = it->second;
  if (!link(a, b).carries()) {
    ch.waiting.emplace_back(index, std::move(text));
    return;
  }
  const TimeMs delay = std::uniform_int_distribution<TimeMs>(options_.min_frame_delay,
                                                             options_.max_frame_delay)(rng_);
  TimeMs& last = ch.last[index == a ? 0 : 1];
  last = std::max(loop_.now() + delay, last);
  const PeerId from = id(index);
  loop_.at(last, [this, other, from, text = std::move(text)] {
    if (clients_.at(other)->pcs.count(from) != 0)
      handle(other, input::SignalChannelMessage{from, text});
  });
}

void ClientHarness::close_channel(int x, int y) {
  const int a = std::min(x, y), b = std::max(x, y);
  auto it = channels_.find({a, b});
  if (it == channels_.end() || !it->second.open) return;
  it->second.open = false;
  it->second.closed = true;
  it->second.waiting.clear();
  for (auto [self, other] : {std::pair{a, b}, std::pair{b, a}}) {
    if (pc(self, other)) handle(self, input::SignalChannelChanged{id(other), false});
  }
}

bool ClientHarness::channel_open(int x, int y) {
  auto it = channels_.find({std::min(x, y), std::max(x, y)});
  return it != channels_.end() && it->second.open;
}

void ClientHarness::stall_server(bool stalled) {
  stalled_ = stalled;
  if (stalled) return;
  auto tasks = std::move(stalled_tasks_);
  stalled_tasks_.clear();
  for (auto& task : tasks) task();
}

void ClientHarness::to_server(int index, std::string frame) {
  if (stalled_) {
    stalled_tasks_.push_back([this, index, frame] { to_server(index, frame); });
    return;
  }
  auto& c = *clients_.at(index);
  const TimeMs delay = std::uniform_int_distribution<TimeMs>(options_.min_frame_delay,
                                                             options_.max_frame_delay)(rng_);
  c.last_up = std::max(loop_.now() + delay, c.last_up);  // one socket: frames stay in order
  loop_.at(c.last_up, [this, index, frame = std::move(frame)] { server_receive(index, frame); });
}

void ClientHarness::to_client(int index, const msg::ServerMessage& message) {
  if (stalled_) {
    stalled_tasks_.push_back([this, index, message] { to_client(index, message); });
    return;
  }
  auto& c = *clients_.at(index);
  const TimeMs delay = std::uniform_int_distribution<TimeMs>(options_.min_frame_delay,
                                                             options_.max_frame_delay)(rng_);
  c.last_down = std::max(loop_.now() + delay, c.last_down);
  loop_.at(c.last_down, [this, index, text = dialects::native::encode_server(message)] {
    handle(index, input::FrameReceived{text});
  });
}

void ClientHarness::server_receive(int index, const std::string& frame) {
  auto& c = *clients_.at(index);
  auto decoded = dialects::native::decode_client(frame, Limits{});
  auto* message = std::get_if<msg::ClientMessage>(&decoded);
  if (!message) {
    ++c.server_rejects;
    return;
  }
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, msg::Join>) {
          msg::Welcome welcome;
          welcome.id = c.id;
          welcome.room = m.room;
          welcome.resume = "tok-" + c.id;
          for (const auto& other : clients_) {
            if (other->joined && other->index != index) {
              welcome.peers.push_back({other->id, other->client.config().name});
            }
          }
          c.joined = true;
          to_client(index, welcome);
          for (auto& other : clients_) {
            if (other->joined && other->index != index) {
              to_client(other->index,
                        msg::PeerJoined{++other->out_seq, {c.id, c.client.config().name}});
            }
          }
        } else if constexpr (std::is_same_v<T, msg::SignalTo>) {
          if (m.seq > c.last_in) {
            c.last_in = m.seq;
            const int target = index_of(m.to);
            if (target < 0 || !clients_[target]->joined) {
              ++c.server_rejects;
            } else {
              auto& t = *clients_[target];
              ++server_signals_;
              to_client(target, msg::Signal{++t.out_seq, c.id, m.payload});
            }
          }
          to_client(index, msg::Ack{m.seq});
        } else if constexpr (std::is_same_v<T, msg::Ping>) {
          to_client(index, msg::Pong{});
        } else if constexpr (std::is_same_v<T, msg::Leave>) {
          c.joined = false;
          for (auto& other : clients_) {
            if (other->joined) {
              to_client(other->index, msg::PeerLeft{++other->out_seq, c.id, "left"});
            }
          }
        }
        // AckOut: nothing is ever lost on these sockets, so there is nothing to resend.
      },
      *message);
}

void ClientHarness::join(int client) { handle(client, input::Join{}); }
void ClientHarness::leave(int client) { handle(client, input::Leave{}); }

void ClientHarness::add_track(int client) {
  auto& c = *clients_.at(client);
  ++c.tracks;
  for (auto& [peer, p] : c.pcs) {
    p->add_track();
    const PeerId remote = peer;
    loop_.at(loop_.now(), [this, client, remote] { deliver_pc_events(client, remote, true); });
  }
}

void ClientHarness::restart_ice(int client, int other) {
  if (!pc(client, other)) return;
  handle(client, input::RestartIce{id(other)});
}

void ClientHarness::break_link(int a, int b, ConnectionState state) {
  SimPeerConnection* pa = pc(a, b);
  SimPeerConnection* pb = pc(b, a);
  if (!pa || !pb) return;
  link(a, b).break_(a < b ? *pa : *pb, a < b ? *pb : *pa, state);
  update_link(std::min(a, b), std::max(a, b));
}

bool ClientHarness::connected(int a, int b) {
  return pc(a, b) && pc(b, a) && link(a, b).state() == ConnectionState::connected;
}

void ClientHarness::run_until(TimeMs until) {
  for (;;) {
    const auto task = loop_.next_time();
    std::optional<TimeMs> timer;
    for (const auto& c : clients_) {
      auto d = c->client.next_deadline();
      if (d && (!timer || *d < *timer)) timer = d;
    }
    const bool timer_first = timer && (!task || *timer < *task);
    const std::optional<TimeMs> next = timer_first ? timer : task;
    if (!next || *next > until) break;
    if (!timer_first) {
      loop_.run_one();
      continue;
    }
    loop_.advance_to(*timer);
    for (auto& c : clients_) {
      auto d = c->client.next_deadline();
      if (d && *d <= loop_.now()) {
        c->client.handle_timeout(loop_.now());
        drain(c->index);
      }
    }
  }
  loop_.advance_to(until);
}

std::string ClientHarness::convergence_problem(int a, int b) {
  const std::string pair = id(a) + "<->" + id(b) + ": ";
  for (int side : {a, b}) {
    const int other = side == a ? b : a;
    auto& c = *clients_.at(side);
    const std::string who = pair + c.id + " ";
    if (c.client.state() != SessionState::open) return who + "session not open";
    SimPeerConnection* p = pc(side, other);
    if (!p) return who + "has no connection";
    if (p->signaling_state() != SignalingState::stable) return who + "not stable";
    if (p->counters().wrong_state != 0) return who + "wrong-state failures";
    if (p->counters().unknown_ufrag != 0) return who + "stale candidates applied";
    if (p->negotiation_needed()) return who + "negotiation still needed";
    if (c.in_flight.count(id(other)) != 0) return who + "operation in flight";
    if (c.concurrent_ops != 0) return who + "concurrent operations";
    if (c.server_rejects != 0) return who + "server rejected frames";
    if (!c.errors.empty()) return who + "error: " + c.errors.front().message;
    auto peer = c.client.peers().find(id(other));
    if (peer == c.client.peers().end()) return who + "peer missing from roster";
    if (peer->second.state != ConnectionState::connected) return who + "roster not connected";
    if (!p->current_local() || !p->current_remote()) return who + "no descriptions";
  }
  if (*pc(a, b)->current_local() != *pc(b, a)->current_remote() ||
      *pc(a, b)->current_remote() != *pc(b, a)->current_local()) {
    return pair + "descriptions differ";
  }
  if (link(a, b).state() != ConnectionState::connected) return pair + "not connected";
  return "";
}

}  // namespace rtc_signaling::sim

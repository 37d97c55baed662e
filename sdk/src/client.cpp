// Client::Impl wires the client's parts (docs/ARCHITECTURE.md#the-client) and routes every
// input and every decoded message to the one that owns it:
//   Session        lifecycle: attempts, handshake steps, backoff, heartbeat, fatal end
//   ReliableStream seq dedupe, batched acks, the outbox and its pacing, resume
//   PeerTable      roster, one Negotiator per peer, server-restart repair
// They share a Context (config, dialect, timers, pacer, outputs). The only logic here is the
// order in which a welcome visits them.
//
// The embedder relies on one convention: after the core emits CloseSocket it must not deliver
// further events of that socket (the next SocketOpened/FrameReceived/SocketClosed always belong
// to the latest OpenSocket).
#include <utility>

#include "client/context.hpp"
#include "client/peer_table.hpp"
#include "client/reliable_stream.hpp"
#include "client/session.hpp"
#include "rtc_signaling/client.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling {

struct Client::Impl {
  explicit Impl(Config c)
      : ctx(std::move(c)),
        stream(ctx, [this](const PeerId& id) { return peers.returning(id); }),
        peers(ctx, stream), session(ctx, stream, peers) {}

  core::Context ctx;
  core::ReliableStream stream;
  core::PeerTable peers;
  core::Session session;

  // ---------------------------------------------------------------- frames

  /// The embedder measured a frame over max_frame_bytes and did not copy it in.
  void on_frame_too_large(std::size_t bytes, TimeMs now) {
    if (!ctx.socket_open())
      return;
    ++ctx.stats.frames_received;
    ++ctx.stats.frames_dropped;
    session.on_frame(now);
    ctx.error(errc::message_too_large, "frame of at least " + std::to_string(bytes) +
                                           " bytes exceeds " +
                                           std::to_string(ctx.config.limits.max_frame_bytes));
  }

  void on_frame(const std::string& text, TimeMs now) {
    if (!ctx.socket_open())
      return;
    ++ctx.stats.frames_received;
    session.on_frame(now);
    dispatch(ctx.dialect->decode_all(text), now);
  }

  /// Decoded (or dialect-made) messages to their parts, in order.
  void dispatch(std::vector<msg::Decoded<msg::ServerMessage>> messages, TimeMs now) {
    for (auto& decoded : messages) {
      // A fatal message (or a handshake failure) may have ended the session mid-frame.
      if (!ctx.socket_open())
        return;
      if (auto* e = std::get_if<msg::DecodeError>(&decoded)) {
        ++ctx.stats.frames_dropped;
        ctx.error(e->code.c_str(), e->message);
        continue;
      }
      std::visit([&](auto& m) { on_message(m, now); }, std::get<msg::ServerMessage>(decoded));
    }
  }

  /// What the dialect made on its own while an input was handled: messages without a frame
  /// (relay's welcome and presence), then acks and replies to send.
  void drain_dialect(TimeMs now) {
    if (!ctx.dialect)
      return;
    for (auto messages = ctx.dialect->take_messages(); !messages.empty();
         messages = ctx.dialect->take_messages()) {
      dispatch(std::move(messages), now);
    }
    for (auto& frame : ctx.dialect->take_frames()) {
      if (ctx.socket_open())
        ctx.emit(output::SendFrame{std::move(frame)});
    }
    for (auto& result : ctx.dialect->take_results())
      ctx.emit(std::move(result));
  }

  void on_invoke(const input::InvokeHub& i) {
    if (!ctx.dialect || !ctx.dialect->invokes()) {
      ctx.emit(output::HubResult{i.id, errc::unsupported_dialect,
                                 "only the signalr dialect has hub methods to invoke", "null"});
    } else if (!ctx.session_open()) {
      ctx.emit(output::HubResult{i.id, errc::not_open,
                                 std::string("the session is ") + to_string(ctx.state) +
                                     ", not open",
                                 "null"});
    } else {
      ctx.dialect->invoke(i.id, i.method, i.arguments);
    }
  }

  void on_message(msg::Welcome& w, TimeMs now) {
    if (ctx.state != SessionState::joining)
      return;
    const bool had = stream.had_welcome();
    const bool id_changed = had && w.id != ctx.self_id;
    // Not resumed: the room was told we left (or never knew us), so every remote peer dropped
    // its connection to us even if the server kept our id.
    const bool forgotten = had && (!w.resumed || id_changed);
    const bool newcomer = !had || forgotten;
    const bool restored = had && !forgotten && w.restored;
    if (forgotten)
      peers.drop_connections();
    stream.on_welcome(w, restored, id_changed);
    session.on_welcome(w, now);
    const auto diff = peers.reconcile(std::move(w.peers), restored, now);
    ctx.emit(output::Joined{ctx.self_id, w.room, w.resumed});
    session.opened();
    peers.announce(diff, newcomer, restored, now);
    stream.flush(now, /*resend=*/true);
  }

  void on_message(msg::PeerJoined& m, TimeMs now) {
    if (stream.accept(m.seq, now))
      peers.on_peer_joined(m, now);
  }
  void on_message(msg::PeerLeft& m, TimeMs now) {
    if (stream.accept(m.seq, now))
      peers.on_peer_left(m);
  }
  void on_message(msg::Signal& m, TimeMs now) {
    if (stream.accept(m.seq, now))
      peers.on_signal(m, now);
  }
  void on_message(msg::Ack& m, TimeMs) { stream.acked(m.seq); }
  void on_message(msg::Pong&, TimeMs) {}
  void on_message(msg::ServerError& e, TimeMs) { session.on_server_error(e); }
  void on_message(msg::Unknown&, TimeMs) { ++ctx.stats.unknown_types; }

  // ---------------------------------------------------------------- time

  void on_timeout(TimeMs now) {
    if (ctx.dialect)
      ctx.dialect->advance(now);
    if (!session.on_timeout(now))
      return;
    if (ctx.timers.take_due(core::Timer::ack, now))
      stream.flush_ack(now);
    if (ctx.timers.take_due(core::Timer::pacing, now))
      stream.flush(now, false);
    if (ctx.dialect) {
      if (auto d = ctx.dialect->next_deadline(); d && *d <= now)
        ctx.dialect->on_timeout(now);
    }
    drain_dialect(now);
    peers.on_timeout(now);
    settle(now);
  }

  std::optional<TimeMs> next_deadline() const {
    std::optional<TimeMs> earliest = ctx.timers.next();
    for (auto d : {peers.next_deadline(),
                   ctx.dialect ? ctx.dialect->next_deadline() : std::nullopt}) {
      if (d && (!earliest || *d < *earliest))
        earliest = d;
    }
    return earliest;
  }

  // ---------------------------------------------------------------- dispatch

  void handle(Input& in, TimeMs now) {
    if (ctx.dialect)
      ctx.dialect->advance(now);
    route(in, now);
    drain_dialect(now);
    settle(now);
  }

  // ---------------------------------------------------------------- until-connected

  /// signaling: until-connected (README.md#signaling-only-for-setup). An open session whose
  /// peers are all connected and settled, with nothing to send or acknowledge, closes its socket
  /// once that has held for park_after_ms; a dormant one reopens as soon as a signal waits or a
  /// connection falters (either side of a faltering connection may need an ICE restart).
  void settle(TimeMs now) {
    if (ctx.config.signaling != SignalingMode::until_connected)
      return;
    if (ctx.state == SessionState::dormant) {
      if (stream.pending() || peers.any_faltering())
        session.wake(now);
      return;
    }
    const bool ready = ctx.session_open() && peers.all_settled() && stream.quiet();
    if (!ready) {
      ctx.timers.clear(core::Timer::park);
    } else if (!ctx.timers.armed(core::Timer::park)) {
      ctx.timers.set(core::Timer::park, now + ctx.config.park_after_ms);
    } else if (ctx.timers.take_due(core::Timer::park, now)) {
      session.park();
    }
  }

  void route(Input& in, TimeMs now) {
    std::visit(
        [&](auto& i) {
          using I = std::decay_t<decltype(i)>;
          if constexpr (std::is_same_v<I, input::Join>) {
            session.on_join(now);
          } else if constexpr (std::is_same_v<I, input::Leave>) {
            session.on_leave(now);
          } else if constexpr (std::is_same_v<I, input::RestartIce>) {
            peers.with_negotiator(i.peer, now, [](auto& n) { n.restart_ice(); });
          } else if constexpr (std::is_same_v<I, input::InvokeHub>) {
            on_invoke(i);
          } else if constexpr (std::is_same_v<I, input::SocketOpened>) {
            session.on_socket_opened(now);
          } else if constexpr (std::is_same_v<I, input::FrameReceived>) {
            on_frame(i.text, now);
          } else if constexpr (std::is_same_v<I, input::FrameTooLarge>) {
            on_frame_too_large(i.bytes, now);
          } else if constexpr (std::is_same_v<I, input::SocketClosed>) {
            session.on_socket_closed(i, now);
          } else if constexpr (std::is_same_v<I, input::HttpResponse>) {
            session.on_http_response(i, now);
          } else if constexpr (std::is_same_v<I, input::TokenProvided>) {
            session.on_token(i, now);
          } else if constexpr (std::is_same_v<I, input::NetworkOnline>) {
            session.on_network(true, now);
          } else if constexpr (std::is_same_v<I, input::NetworkOffline>) {
            session.on_network(false, now);
          } else if constexpr (std::is_same_v<I, input::NegotiationNeeded>) {
            peers.with_negotiator(i.peer, now, [](auto& n) { n.negotiation_needed(); });
          } else if constexpr (std::is_same_v<I, input::IceCandidate>) {
            peers.with_negotiator(i.peer, now, [&](auto& n) { n.local_candidate(i.candidate); });
          } else if constexpr (std::is_same_v<I, input::SignalingStateChanged>) {
            peers.with_negotiator(i.peer, now,
                                  [&](auto& n) { n.signaling_state_changed(i.state); });
          } else if constexpr (std::is_same_v<I, input::ConnectionStateChanged>) {
            peers.with_negotiator(i.peer, now,
                                  [&](auto& n) { n.connection_state_changed(i.state, now); });
          } else if constexpr (std::is_same_v<I, input::OperationDone>) {
            peers.with_negotiator(i.peer, now, [&](auto& n) { n.operation_done(i); });
          } else if constexpr (std::is_same_v<I, input::SignalChannelChanged>) {
            peers.on_signal_channel(i.peer, i.open, now);
          } else if constexpr (std::is_same_v<I, input::SignalChannelMessage>) {
            peers.on_in_band(i.peer, i.text, now);
          }
        },
        in);
  }
};

Client::Client(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

void Client::handle(Input input, TimeMs now) {
  impl_->handle(input, now);
}
void Client::handle_timeout(TimeMs now) {
  impl_->on_timeout(now);
}

std::optional<Output> Client::poll(TimeMs) {
  if (impl_->ctx.outputs.empty())
    return std::nullopt;
  Output out = std::move(impl_->ctx.outputs.front());
  impl_->ctx.outputs.pop_front();
  return out;
}

std::optional<TimeMs> Client::next_deadline() const {
  return impl_->next_deadline();
}
SessionState Client::state() const {
  return impl_->ctx.state;
}
const PeerId& Client::self_id() const {
  return impl_->ctx.self_id;
}
const std::map<PeerId, PeerInfo>& Client::peers() const {
  return impl_->peers.peers();
}
const Stats& Client::stats() const {
  return impl_->ctx.stats;
}
const Config& Client::config() const {
  return impl_->ctx.config;
}

} // namespace rtc_signaling

// Client::Impl wires the pieces: session state machine (session_machine.hpp), dialect codec,
// backoff, timers, roster, outbox and one Negotiator per remote peer.
//
// Conventions the embedder relies on:
// - After the core emits CloseSocket it must not deliver further events of that socket (the next
//   SocketOpened/FrameReceived/SocketClosed always belong to the latest OpenSocket).
// - Close codes we send: 1000 for Leave and fatal errors, 4000 when the server went silent.
// - Acks: received reliable messages are acked cumulatively, batched: at once after kAckEvery
//   unacknowledged messages, otherwise kAckDelayMs after the first one (well inside the ~1 s the
//   server allows). A duplicate re-arms the ack, since it means the server missed our last one.
#include <algorithm>
#include <deque>
#include <set>
#include <utility>
#include <vector>

#include "backoff.hpp"
#include "dialects/dialect.hpp"
#include "negotiation/negotiator.hpp"
#include "outbox.hpp"
#include "pacer.hpp"
#include "roster.hpp"
#include "rtc_signaling/client.hpp"
#include "rtc_signaling/error.hpp"
#include "session_machine.hpp"
#include "timers.hpp"
#include "url.hpp"
#include "validation.hpp"

namespace rtc_signaling {
namespace {

constexpr msg::Seq kAckEvery = 16;
constexpr TimeMs kAckDelayMs = 200;
// How long the embedder may take to answer a probe or a token request before we treat the
// attempt as failed and back off; neither has a configurable timeout of its own.
constexpr TimeMs kProbeTimeoutMs = 10'000;
constexpr TimeMs kTokenTimeoutMs = 10'000;
constexpr std::size_t kMaxRoomBytes = 256;
constexpr int kCloseNormal = 1000;
constexpr int kCloseServerTimeout = 4000;
/// The largest seq a frame can carry (2^53 - 1, exact in JS): measuring with it bounds the size.
constexpr msg::Seq kMaxWireSeq = (msg::Seq{1} << 53) - 1;

/// The stable errc constant for a fatal code a server may send, or nullptr.
const char* fatal_server_code(const std::string& code) {
  for (const char* c : {errc::unauthorized, errc::forbidden, errc::room_full, errc::server_closed}) {
    if (code == c)
      return c;
  }
  return nullptr;
}

} // namespace

struct Client::Impl {
  explicit Impl(Config c)
      : config(std::move(c)), dialect(dialects::make_dialect(config)),
        backoff(config.reconnect, config.seed), roster(config.limits.max_peers),
        outbox(config.limits.outbox_frames) {}

  enum class Socket { none, opening, open };

  Config config;
  std::unique_ptr<dialects::Dialect> dialect;
  core::Backoff backoff;
  core::Timers timers;
  core::Pacer pacer;
  core::Roster roster;
  core::Outbox outbox;
  std::map<PeerId, negotiation::Negotiator> negotiators;
  std::deque<Output> outputs;
  Stats stats;

  SessionState state = SessionState::idle;
  Socket socket = Socket::none;
  PeerId self_id;
  bool ever_opened = false;
  bool online = true;
  bool awaiting_token = false;
  std::optional<std::string> token;
  std::string socket_url;
  std::optional<std::uint32_t> probe_id;
  std::optional<std::uint32_t> negotiate_id; ///< the dialect's pre-socket HTTP step (SignalR)
  std::uint32_t next_request_id = 1;

  // Resume bookkeeping (DESIGN §4.1).
  bool had_welcome = false;
  std::optional<std::string> resume_token;
  std::optional<std::string> resume_secret; ///< from the session's first welcome
  msg::Seq last_in_seq = 0;  ///< highest reliable seq received and processed
  msg::Seq acked_in_seq = 0; ///< highest seq we told the server about
  bool reack = false;        ///< a duplicate arrived: the server missed our ack

  // Server restart (welcome.restored): the new process knows only who has resumed so far. Peers
  // missing from its roster keep their connections until this deadline; their own resume
  // brings them back with peer-joined.
  std::map<PeerId, TimeMs> returning;
  /// The last offer sent to each peer: a restart may have lost it or its answer.
  std::map<PeerId, Description> last_offer;
  /// An attempt was counted and announced but has not started (its delay, or offline).
  bool attempt_pending = false;
  bool roster_full_reported = false; ///< reset when the roster has room again

  // ---------------------------------------------------------------- plumbing

  void emit(Output o) { outputs.push_back(std::move(o)); }

  void error(const char* code, std::string message) {
    emit(output::Error{code, std::move(message), false});
  }

  /// Applies the transition table; returns false (and changes nothing) for an unexpected event.
  bool go(core::SessionEvent event) {
    auto next = core::transition(state, event);
    if (!next)
      return false;
    if (*next != state) {
      state = *next;
      emit(output::StateChanged{state});
    }
    return true;
  }

  void send(const msg::ClientMessage& m, TimeMs now) {
    if (socket != Socket::open)
      return;
    for (auto& frame : dialect->encode_all(m)) {
      emit(output::SendFrame{std::move(frame)});
      pacer.spend(now);
    }
    if (state == SessionState::open)
      timers.set(core::Timer::ping, now + config.ping_interval_ms);
  }

  void close_socket(int code, std::string reason) {
    if (socket != Socket::none)
      emit(output::CloseSocket{code, std::move(reason)});
    socket = Socket::none;
  }

  // ---------------------------------------------------------------- session

  std::optional<std::string> config_problem() const {
    if (!dialect)
      return "unsupported dialect";
    if (!url::is_websocket_url(config.url))
      return "url must be ws:// or wss://";
    if (config.room.empty() || config.room.size() > kMaxRoomBytes ||
        !validation::valid_utf8(config.room)) {
      return "room must be 1-256 bytes of UTF-8";
    }
    if (!validation::valid_utf8(config.name))
      return "name is not UTF-8";
    const Limits& l = config.limits;
    if (l.max_frame_bytes == 0 || l.max_json_depth == 0 || l.max_peers == 0 ||
        l.outbox_frames == 0 || l.max_held_candidates == 0) {
      return "limits must be positive";
    }
    return std::nullopt;
  }

  void on_join(TimeMs now) {
    if (state != SessionState::idle)
      return;
    if (auto problem = config_problem()) {
      fatal(errc::invalid_config, *problem);
      return;
    }
    token = config.token;
    go(core::SessionEvent::join);
    timers.set(core::Timer::connect, now + config.connect_timeout_ms);
    start_attempt(now);
  }

  void start_attempt(TimeMs now) {
    if (config.token_provider) {
      awaiting_token = true;
      timers.set(core::Timer::token, now + kTokenTimeoutMs);
      emit(output::RequestToken{});
      return;
    }
    open_socket(now);
  }

  void open_socket(TimeMs now) { run_step(dialect->begin_attempt(config, token), now); }

  /// One step of the dialect's connection setup: an HTTP request, the socket, or giving up.
  void run_step(dialects::Dialect::Step step, TimeMs now) {
    if (auto* request = std::get_if<dialects::Dialect::Request>(&step)) {
      negotiate_id = next_request_id++;
      request->request.id = *negotiate_id;
      timers.set(core::Timer::probe, now + kProbeTimeoutMs);
      emit(std::move(request->request));
      return;
    }
    if (auto* failed = std::get_if<dialects::Dialect::Fail>(&step)) {
      if (failed->fatal) {
        fatal(failed->code, failed->message);
      } else {
        error(failed->code, failed->message);
        lost(now);
      }
      return;
    }
    socket_url = std::get<dialects::Dialect::Connect>(step).url;
    socket = Socket::opening;
    // Bounds a transport that neither opens nor fails (the browser's own timeout is minutes).
    timers.set(core::Timer::server_timeout, now + config.server_timeout_ms);
    emit(output::OpenSocket{socket_url});
  }

  void on_token(const input::TokenProvided& t, TimeMs now) {
    if (!awaiting_token || state != SessionState::connecting)
      return;
    awaiting_token = false;
    timers.clear(core::Timer::token);
    if (!t.token) {
      error(errc::token_failed, t.error.empty() ? "token provider failed" : t.error);
      lost(now);
      return;
    }
    token = t.token;
    open_socket(now);
  }

  void on_socket_opened(TimeMs now) {
    if (state != SessionState::connecting || socket != Socket::opening)
      return;
    socket = Socket::open;
    go(core::SessionEvent::socket_opened);
    timers.set(core::Timer::server_timeout, now + config.server_timeout_ms);
    msg::Join join{config.room,
                   validation::truncate_utf8(config.name, config.limits.max_name_bytes),
                   std::nullopt, std::nullopt, std::nullopt};
    if (had_welcome && resume_token) {
      join.resume = resume_token;
      join.secret = resume_secret;
      join.last_seq = last_in_seq;
    }
    send(join, now);
    // lastSeq acknowledges everything processed so far.
    acked_in_seq = last_in_seq;
  }

  void on_socket_closed(const input::SocketClosed& c, TimeMs now) {
    if (socket == Socket::none)
      return;
    const bool never_opened = socket == Socket::opening && !c.was_open;
    socket = Socket::none;
    if (never_opened) {
      probe(now);
      return;
    }
    lost(now);
  }

  /// The browser hid the HTTP status of the refused upgrade; ask the same endpoint over HTTP.
  void probe(TimeMs now) {
    timers.clear(core::Timer::server_timeout);
    probe_id = next_request_id++;
    timers.set(core::Timer::probe, now + kProbeTimeoutMs);
    emit(output::HttpRequest{*probe_id, "GET", url::to_http(socket_url), {}, {}});
  }

  void on_http_response(const input::HttpResponse& r, TimeMs now) {
    if (negotiate_id && r.request_id == *negotiate_id) {
      negotiate_id.reset();
      timers.clear(core::Timer::probe);
      run_step(dialect->on_http_response(r.status, r.body), now);
      return;
    }
    if (!probe_id || r.request_id != *probe_id)
      return;
    probe_id.reset();
    timers.clear(core::Timer::probe);
    if (r.status == 401) {
      fatal(errc::unauthorized, "the server refused the token (HTTP 401)");
    } else if (r.status == 403) {
      fatal(errc::forbidden, "the token does not grant room " + config.room + " (HTTP 403)");
    } else {
      lost(now);
    }
  }

  /// Socket gone, server silent, handshake failed or probe inconclusive: back off and retry.
  void lost(TimeMs now) {
    socket = Socket::none;
    awaiting_token = false;
    probe_id.reset();
    negotiate_id.reset();
    for (auto t : {core::Timer::ping, core::Timer::server_timeout, core::Timer::stable,
                   core::Timer::ack, core::Timer::probe, core::Timer::token,
                   core::Timer::pacing}) {
      timers.clear(t);
    }
    if (!go(core::SessionEvent::connection_lost))
      return;
    if (!config.reconnect.enabled) {
      fatal(errc::reconnect_exhausted, "connection lost and reconnecting is disabled");
      return;
    }
    // Offline: nothing is counted or announced; NetworkOnline starts an attempt at once.
    if (online)
      schedule_attempt(now, std::nullopt);
  }

  /// Counts the next attempt and announces it with its delay (`forced`: online retries at 0).
  void schedule_attempt(TimeMs now, std::optional<std::uint32_t> forced) {
    if (backoff.exhausted()) {
      fatal(errc::reconnect_exhausted,
            "gave up after " + std::to_string(backoff.attempt()) + " reconnect attempts");
      return;
    }
    std::uint32_t delay = backoff.next_delay();
    if (forced)
      delay = *forced;
    ++stats.reconnects;
    attempt_pending = true;
    emit(output::Reconnecting{backoff.attempt(), delay});
    timers.set(core::Timer::retry, now + delay);
  }

  void retry(TimeMs now) {
    timers.clear(core::Timer::retry);
    attempt_pending = false;
    if (!go(core::SessionEvent::retry))
      return;
    start_attempt(now);
  }

  void fatal(const char* code, std::string message) {
    if (state == SessionState::closed)
      return;
    close_socket(kCloseNormal, code);
    emit(output::Error{code, std::move(message), true});
    go(core::SessionEvent::fatal);
    enter_closed();
  }

  void on_leave(TimeMs now) {
    if (state == SessionState::closed)
      return;
    send(msg::Leave{}, now);
    close_socket(kCloseNormal, "leave");
    go(core::SessionEvent::leave);
    enter_closed();
  }

  void enter_closed() {
    timers.clear_all();
    attempt_pending = false;
    returning.clear();
    awaiting_token = false;
    probe_id.reset();
    negotiate_id.reset();
    for (const auto& [peer, n] : negotiators)
      emit(output::ClosePeerConnection{peer});
    negotiators.clear();
  }

  void on_timeout(TimeMs now) {
    using core::Timer;
    if (timers.take_due(Timer::connect, now) && !ever_opened) {
      fatal(errc::timeout,
            "not joined within " + std::to_string(config.connect_timeout_ms) + " ms");
      return;
    }
    if (timers.take_due(Timer::token, now)) {
      error(errc::token_failed, "the token provider did not answer");
      lost(now);
    }
    if (timers.take_due(Timer::probe, now)) {
      probe_id.reset();
      negotiate_id.reset();
      lost(now);
    }
    if (timers.take_due(Timer::server_timeout, now)) {
      close_socket(kCloseServerTimeout, "server timeout");
      lost(now);
    }
    if (timers.take_due(Timer::retry, now))
      retry(now);
    if (timers.take_due(Timer::ping, now))
      send(msg::Ping{}, now);
    if (timers.take_due(Timer::ack, now))
      flush_ack(now);
    if (timers.take_due(Timer::stable, now))
      backoff.reset();
    if (timers.take_due(Timer::pacing, now))
      flush_outbox(now, false);
    if (timers.take_due(Timer::returning, now))
      expire_returning(now);

    for (auto& [peer, n] : negotiators) {
      if (auto d = n.next_deadline(); d && *d <= now)
        n.handle_timeout(now);
    }
    drain_all(now);
  }

  void on_network(bool is_online, TimeMs now) {
    online = is_online;
    if (state != SessionState::reconnecting)
      return;
    if (!online) {
      // The announced attempt (if any) stays pending and starts as soon as we are back online.
      timers.clear(core::Timer::retry);
      return;
    }
    if (attempt_pending) {
      emit(output::Reconnecting{backoff.attempt(), 0});
    } else {
      schedule_attempt(now, 0u);
    }
    if (state == SessionState::reconnecting)
      retry(now);
  }

  // ---------------------------------------------------------------- frames

  /// The embedder measured a frame over max_frame_bytes and did not copy it in.
  void on_frame_too_large(std::size_t bytes, TimeMs now) {
    if (socket != Socket::open)
      return;
    ++stats.frames_received;
    ++stats.frames_dropped;
    timers.set(core::Timer::server_timeout, now + config.server_timeout_ms);
    error(errc::message_too_large, "frame of at least " + std::to_string(bytes) +
                                       " bytes exceeds " +
                                       std::to_string(config.limits.max_frame_bytes));
  }

  void on_frame(const std::string& text, TimeMs now) {
    if (socket != Socket::open)
      return;
    ++stats.frames_received;
    // Any frame, even a bad one, proves the server is alive.
    timers.set(core::Timer::server_timeout, now + config.server_timeout_ms);
    for (auto& decoded : dialect->decode_all(text)) {
      // A fatal message (or a handshake failure) may have ended the session mid-frame.
      if (socket != Socket::open)
        return;
      if (auto* e = std::get_if<msg::DecodeError>(&decoded)) {
        ++stats.frames_dropped;
        error(e->code.c_str(), e->message);
        continue;
      }
      std::visit([&](auto& m) { on_message(m, now); }, std::get<msg::ServerMessage>(decoded));
    }
    // Acks and replies the dialect produced while decoding.
    for (auto& frame : dialect->take_frames()) {
      if (socket == Socket::open)
        emit(output::SendFrame{std::move(frame)});
    }
  }

  void on_message(msg::Welcome& w, TimeMs now) {
    if (state != SessionState::joining)
      return;
    const bool id_changed = had_welcome && w.id != self_id;
    // Not resumed: the room was told we left (or never knew us), so every remote peer dropped
    // its connection to us even if the server kept our id.
    const bool forgotten = had_welcome && (!w.resumed || id_changed);
    const bool newcomer = !had_welcome || forgotten;
    const bool restored = had_welcome && !forgotten && w.restored;
    if (forgotten) {
      // Signals still queued belong to the closed connections.
      for (const auto& [peer, n] : negotiators) {
        emit(output::ClosePeerConnection{peer});
        outbox.drop_peer(peer);
      }
      negotiators.clear();
      last_offer.clear();
    }
    if (restored) {
      // The new process cannot tell which of the old one's unacknowledged signals it relayed, so
      // resending could apply one twice: drop them and repair the negotiations below instead.
      // Its numbering continues after our lastSeq, so last_in_seq stays.
      outbox.drop_sent();
    } else if (w.resumed && !id_changed) {
      if (w.ack)
        outbox.ack(*w.ack);
    } else {
      // A fresh server session: both directions number from 1 again.
      last_in_seq = 0;
      acked_in_seq = 0;
      outbox.restart_numbering();
    }
    self_id = w.id;
    resume_token = w.resume;
    // Only a session's first welcome carries its secret; a resumed one keeps the one we have.
    if (w.secret || !w.resumed)
      resume_secret = w.secret;
    had_welcome = true;
    ever_opened = true;
    pacer.configure(w.rate, now);
    timers.clear(core::Timer::connect);
    timers.set(core::Timer::stable, now + config.reconnect.stable_after_ms);
    timers.set(core::Timer::ping, now + config.ping_interval_ms);

    auto listed = w.peers;
    if (restored) {
      keep_returning(listed, now);
    } else {
      returning.clear();
      timers.clear(core::Timer::returning);
    }
    const auto diff = roster.reconcile(listed, self_id);
    emit(output::Joined{self_id, w.room, w.resumed});
    go(core::SessionEvent::welcome);
    for (const auto& id : diff.left) {
      emit(output::PeerLeft{id, "gone"});
      forget_peer(id);
    }
    roster_full_reported = false;
    if (!diff.refused.empty())
      roster_full(diff.refused.front().id);
    for (const auto& p : diff.joined)
      emit(output::PeerJoined{p.id, p.name});
    if (newcomer) {
      // Only the newcomer opens connections, so a join never causes glare (DESIGN §3.3).
      for (const auto& [id, info] : roster.peers())
        ensure_negotiator(id, true);
    }
    // Signals to peers that are no longer in the room would only earn unknown-peer errors.
    std::vector<PeerId> stale;
    for (const auto& e : outbox.entries()) {
      if (!roster.contains(e.to))
        stale.push_back(e.to);
    }
    for (const auto& id : stale)
      outbox.drop_peer(id);
    if (restored) {
      for (const auto& [id, info] : roster.peers()) {
        if (returning.count(id) == 0)
          recover(id, now);
      }
    }
    flush_outbox(now, /*resend=*/true);
  }

  void on_message(msg::PeerJoined& m, TimeMs now) {
    if (!accept_reliable(m.seq, now))
      return;
    if (m.peer.id == self_id)
      return;
    switch (roster.add(m.peer)) {
    case core::Roster::AddResult::added:
      emit(output::PeerJoined{m.peer.id, m.peer.name});
      break;
    case core::Roster::AddResult::full:
      roster_full(m.peer.id);
      break;
    case core::Roster::AddResult::already_present:
      // Back after a server restart: repair what the outage may have lost, send what waited.
      if (returning.erase(m.peer.id) != 0) {
        recover(m.peer.id, now);
        flush_outbox(now, false);
      }
      break;
    }
    if (m.initiate && roster.contains(m.peer.id))
      ensure_negotiator(m.peer.id, true);
  }

  void on_message(msg::PeerLeft& m, TimeMs now) {
    if (!accept_reliable(m.seq, now))
      return;
    if (!roster.contains(m.id))
      return;
    emit(output::PeerLeft{m.id, m.reason});
    forget_peer(m.id);
  }

  void on_message(msg::Signal& m, TimeMs now) {
    if (!accept_reliable(m.seq, now))
      return;
    if (m.from == self_id || !roster.contains(m.from)) {
      ++stats.frames_dropped;
      error(errc::bad_message, m.from == self_id ? "signal claims to come from ourselves"
                                                 : "signal from a peer not in the room: " + m.from);
      return;
    }
    ++stats.signals_received;
    auto it = negotiators.find(m.from);
    if (it == negotiators.end()) {
      // Existing members create their connection on the newcomer's first description; anything
      // else before it has no connection to apply to.
      if (!std::holds_alternative<Description>(m.payload))
        return;
      it = ensure_negotiator(m.from, false);
    }
    it->second.remote_signal(m.payload);
    drain(it->first, it->second, now);
  }

  void on_message(msg::Ack& m, TimeMs) { outbox.ack(m.seq); }
  void on_message(msg::Pong&, TimeMs) {}

  void on_message(msg::ServerError& e, TimeMs) {
    if (const char* code = fatal_server_code(e.code); e.fatal && code) {
      fatal(code, e.message);
      return;
    }
    error(errc::server_error, e.code + (e.message.empty() ? "" : ": " + e.message));
  }

  void on_message(msg::Unknown&, TimeMs) { ++stats.unknown_types; }

  // ---------------------------------------------------------------- reliability

  /// Seq dedupe and ack scheduling. False = duplicate, drop it.
  bool accept_reliable(const std::optional<msg::Seq>& seq, TimeMs now) {
    if (!seq)
      return true;
    if (*seq <= last_in_seq) {
      reack = true;
      schedule_ack(now);
      return false;
    }
    last_in_seq = *seq;
    if (last_in_seq - acked_in_seq >= kAckEvery) {
      flush_ack(now);
    } else {
      schedule_ack(now);
    }
    return true;
  }

  void schedule_ack(TimeMs now) {
    if (!timers.armed(core::Timer::ack))
      timers.set(core::Timer::ack, now + kAckDelayMs);
  }

  void flush_ack(TimeMs now) {
    timers.clear(core::Timer::ack);
    if (socket != Socket::open)
      return;
    if (last_in_seq > acked_in_seq || (reack && last_in_seq > 0)) {
      send(msg::AckOut{last_in_seq}, now);
      acked_in_seq = last_in_seq;
    }
    reack = false;
  }

  /// Once per episode: a server announcing peers in a loop must not get an error per frame.
  void roster_full(const PeerId& ignored) {
    if (roster_full_reported)
      return;
    roster_full_reported = true;
    error(errc::roster_full, "roster holds at most " + std::to_string(config.limits.max_peers) +
                                 " peers; ignoring " + ignored + " and any further newcomers");
  }

  void send_signal(const PeerId& to, SignalPayload payload, TimeMs now) {
    // Limits apply to what goes on the wire: invalid UTF-8 would be replaced (and grow) in
    // encoding, and escapes grow the frame, so both checks measure the encoded form.
    validation::make_valid_utf8(payload);
    if (auto problem = validation::check_payload(payload, config.limits)) {
      error(errc::bad_message, "not sending an invalid signal to " + to + ": " + *problem);
      return;
    }
    const std::size_t encoded = dialect->encode(msg::SignalTo{to, kMaxWireSeq, payload}).size();
    if (encoded > config.limits.max_frame_bytes) {
      error(errc::message_too_large, "not sending a signal to " + to + ": its frame of " +
                                         std::to_string(encoded) + " bytes exceeds " +
                                         std::to_string(config.limits.max_frame_bytes));
      return;
    }
    switch (outbox.push(to, std::move(payload), state == SessionState::open)) {
    case core::Outbox::PushResult::queued:
      break;
    case core::Outbox::PushResult::queued_dropping_oldest:
      error(errc::outbox_full, "outbox full: dropped the oldest candidate");
      break;
    case core::Outbox::PushResult::refused:
      error(errc::outbox_full, "outbox full of descriptions: signal to " + to + " dropped");
      break;
    }
    if (state == SessionState::open)
      flush_outbox(now, false);
  }

  /// Sends what this socket has not carried yet, in order: entries without a seq and, with
  /// resend (a new socket), the ones sent before but not acknowledged. Stops at the pacer's
  /// limit and comes back when its timer fires.
  void flush_outbox(TimeMs now, bool resend) {
    if (state != SessionState::open || socket != Socket::open)
      return;
    if (resend)
      outbox.socket_changed();
    for (auto& e : outbox.entries()) {
      if (e.on_wire)
        continue;
      // Not back on the restarted server yet: it would refuse the signal as unknown-peer.
      if (e.seq == 0 && returning.count(e.to) != 0)
        continue;
      if (!pacer.can_send(now)) {
        timers.set(core::Timer::pacing, pacer.next_at(now));
        break;
      }
      const msg::Seq seq = outbox.assign_seq(e);
      e.on_wire = true;
      send(msg::SignalTo{e.to, seq, e.payload}, now);
      ++stats.signals_sent;
    }
    if (!dialect->acknowledges())
      outbox.ack(UINT64_MAX);
  }

  // ---------------------------------------------------------------- server restart

  /// A peer still resuming after a restart retries at least every max_delay_ms; give it one full
  /// backoff window plus a server timeout before calling it gone.
  TimeMs returning_grace() const {
    const TimeMs window = TimeMs{config.reconnect.max_delay_ms} + config.server_timeout_ms;
    return std::max<TimeMs>(20'000, window);
  }

  /// Adds roster peers the restarted server does not list yet to `listed`, so reconcile keeps
  /// them, and starts (or keeps) their deadline.
  void keep_returning(std::vector<msg::PeerEntry>& listed, TimeMs now) {
    std::set<PeerId> present;
    for (const auto& p : listed)
      present.insert(p.id);
    for (auto it = returning.begin(); it != returning.end();)
      it = present.count(it->first) != 0 ? returning.erase(it) : std::next(it);
    for (const auto& [id, info] : roster.peers()) {
      if (present.count(id) != 0)
        continue;
      listed.push_back(msg::PeerEntry{id, info.name});
      returning.try_emplace(id, now + returning_grace());
    }
    arm_returning();
  }

  void arm_returning() {
    timers.clear(core::Timer::returning);
    for (const auto& [id, deadline] : returning) {
      auto at = timers.get(core::Timer::returning);
      if (!at || deadline < *at)
        timers.set(core::Timer::returning, deadline);
    }
  }

  void expire_returning(TimeMs now) {
    std::vector<PeerId> gone;
    for (const auto& [id, deadline] : returning) {
      if (deadline <= now)
        gone.push_back(id);
    }
    for (const auto& id : gone) {
      emit(output::PeerLeft{id, "gone"});
      forget_peer(id);
    }
    arm_returning();
  }

  /// After a restart a signal in flight may be lost either way. An offer still waiting for its
  /// answer is offered again (re-applying an identical offer is a legal renegotiation, unlike
  /// a duplicate answer); a stable connection that is not connected restarts ICE. The peer
  /// runs the same repair from its side, and glare is resolved by perfect negotiation.
  void recover(const PeerId& id, TimeMs now) {
    auto it = negotiators.find(id);
    if (it == negotiators.end())
      return;
    auto& n = it->second;
    if (n.signaling_state() == SignalingState::have_local_offer) {
      if (auto offer = last_offer.find(id); offer != last_offer.end())
        outbox.push_front(id, offer->second);
    } else if (n.signaling_state() == SignalingState::stable &&
               n.connection_state() != ConnectionState::connected) {
      n.restart_ice();
      drain(id, n, now);
    }
  }

  // ---------------------------------------------------------------- peers

  /// `initiating`: we open this connection (newcomer, or told to call); otherwise the remote's
  /// first description creates it.
  std::map<PeerId, negotiation::Negotiator>::iterator ensure_negotiator(const PeerId& id,
                                                                         bool initiating) {
    auto it = negotiators.find(id);
    if (it != negotiators.end())
      return it;
    const bool polite =
        negotiation::is_polite(dialect->negotiation_policy(), self_id, id, initiating);
    emit(output::CreatePeerConnection{id, polite});
    return negotiators
        .try_emplace(id, id, polite, config.ice_grace_ms, config.limits.max_held_candidates)
        .first;
  }

  void forget_peer(const PeerId& id) {
    roster.remove(id);
    roster_full_reported = false;
    returning.erase(id);
    last_offer.erase(id);
    outbox.drop_peer(id);
    if (negotiators.erase(id) != 0)
      emit(output::ClosePeerConnection{id});
  }

  void drain(const PeerId& peer, negotiation::Negotiator& n, TimeMs now) {
    while (auto action = n.poll()) {
      std::visit(
          [&](auto& a) {
            using A = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<A, negotiation::SendSignal>) {
              if (const auto* d = std::get_if<Description>(&a.payload); d && d->type == "offer")
                last_offer[peer] = *d;
              send_signal(peer, std::move(a.payload), now);
            } else {
              if constexpr (std::is_same_v<A, output::PeerStateChanged>) {
                roster.set_state(a.id, a.state);
              }
              emit(std::move(a));
            }
          },
          *action);
    }
  }

  void drain_all(TimeMs now) {
    for (auto& [peer, n] : negotiators)
      drain(peer, n, now);
  }

  template <typename F> void with_negotiator(const PeerId& peer, TimeMs now, F&& f) {
    auto it = negotiators.find(peer);
    if (it == negotiators.end())
      return;
    f(it->second);
    drain(it->first, it->second, now);
  }

  // ---------------------------------------------------------------- dispatch

  void handle(Input& in, TimeMs now) {
    std::visit(
        [&](auto& i) {
          using I = std::decay_t<decltype(i)>;
          if constexpr (std::is_same_v<I, input::Join>) {
            on_join(now);
          } else if constexpr (std::is_same_v<I, input::Leave>) {
            on_leave(now);
          } else if constexpr (std::is_same_v<I, input::RestartIce>) {
            with_negotiator(i.peer, now, [](auto& n) { n.restart_ice(); });
          } else if constexpr (std::is_same_v<I, input::SocketOpened>) {
            on_socket_opened(now);
          } else if constexpr (std::is_same_v<I, input::FrameReceived>) {
            on_frame(i.text, now);
          } else if constexpr (std::is_same_v<I, input::FrameTooLarge>) {
            on_frame_too_large(i.bytes, now);
          } else if constexpr (std::is_same_v<I, input::SocketClosed>) {
            on_socket_closed(i, now);
          } else if constexpr (std::is_same_v<I, input::HttpResponse>) {
            on_http_response(i, now);
          } else if constexpr (std::is_same_v<I, input::TokenProvided>) {
            on_token(i, now);
          } else if constexpr (std::is_same_v<I, input::NetworkOnline>) {
            on_network(true, now);
          } else if constexpr (std::is_same_v<I, input::NetworkOffline>) {
            on_network(false, now);
          } else if constexpr (std::is_same_v<I, input::NegotiationNeeded>) {
            with_negotiator(i.peer, now, [](auto& n) { n.negotiation_needed(); });
          } else if constexpr (std::is_same_v<I, input::IceCandidate>) {
            with_negotiator(i.peer, now, [&](auto& n) { n.local_candidate(i.candidate); });
          } else if constexpr (std::is_same_v<I, input::SignalingStateChanged>) {
            with_negotiator(i.peer, now, [&](auto& n) { n.signaling_state_changed(i.state); });
          } else if constexpr (std::is_same_v<I, input::ConnectionStateChanged>) {
            with_negotiator(i.peer, now,
                            [&](auto& n) { n.connection_state_changed(i.state, now); });
          } else if constexpr (std::is_same_v<I, input::OperationDone>) {
            with_negotiator(i.peer, now, [&](auto& n) { n.operation_done(i); });
          }
        },
        in);
  }

  std::optional<TimeMs> next_deadline() const {
    std::optional<TimeMs> earliest = timers.next();
    for (const auto& [peer, n] : negotiators) {
      auto d = n.next_deadline();
      if (d && (!earliest || *d < *earliest))
        earliest = d;
    }
    return earliest;
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
  if (impl_->outputs.empty())
    return std::nullopt;
  Output out = std::move(impl_->outputs.front());
  impl_->outputs.pop_front();
  return out;
}

std::optional<TimeMs> Client::next_deadline() const {
  return impl_->next_deadline();
}
SessionState Client::state() const {
  return impl_->state;
}
const PeerId& Client::self_id() const {
  return impl_->self_id;
}
const std::map<PeerId, PeerInfo>& Client::peers() const {
  return impl_->roster.peers();
}
const Stats& Client::stats() const {
  return impl_->stats;
}
const Config& Client::config() const {
  return impl_->config;
}

} // namespace rtc_signaling

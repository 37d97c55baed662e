#include "client/session.hpp"

#include <utility>

#include "rtc_signaling/error.hpp"
#include "url.hpp"
#include "validation.hpp"

namespace rtc_signaling::core {
namespace {

constexpr std::size_t kMaxRoomBytes = 256;
constexpr int kCloseNormal = 1000;
constexpr int kCloseServerTimeout = 4000;

/// The stable errc constant for a fatal code a server may send, or nullptr.
const char* fatal_server_code(const std::string& code) {
  for (const char* c : {errc::unauthorized, errc::forbidden, errc::room_full, errc::server_closed}) {
    if (code == c)
      return c;
  }
  return nullptr;
}

} // namespace

Session::Session(Context& ctx, ReliableStream& stream, PeerTable& peers)
    : ctx_(ctx), stream_(stream), peers_(peers),
      backoff_(ctx.config.reconnect, ctx.config.seed) {}

/// Applies the transition table; returns false (and changes nothing) for an unexpected event.
bool Session::go(SessionEvent event) {
  auto next = transition(ctx_.state, event);
  if (!next)
    return false;
  if (*next != ctx_.state) {
    ctx_.state = *next;
    ctx_.emit(output::StateChanged{ctx_.state});
  }
  return true;
}

void Session::close_socket(int code, std::string reason) {
  if (ctx_.socket != SocketState::none) {
    ctx_.emit(output::CloseSocket{code, std::move(reason)});
    ctx_.dialect->socket_closed();
  }
  ctx_.socket = SocketState::none;
}

std::optional<std::string> Session::config_problem() const {
  const Config& config = ctx_.config;
  if (!ctx_.dialect)
    return "unsupported dialect";
  if (!url::is_websocket_url(config.url))
    return "url must be ws:// or wss://";
  for (const auto& fallback : config.fallback_urls) {
    if (!url::is_websocket_url(fallback))
      return "every url must be ws:// or wss://";
  }
  if (config.room.empty() || config.room.size() > kMaxRoomBytes ||
      !validation::valid_utf8(config.room)) {
    return "room must be 1-256 bytes of UTF-8";
  }
  if (!validation::valid_utf8(config.name))
    return "name is not UTF-8";
  if (auto problem = ctx_.dialect->config_problem(config))
    return problem;
  const Limits& l = config.limits;
  if (l.max_frame_bytes == 0 || l.max_json_depth == 0 || l.max_peers == 0 ||
      l.outbox_frames == 0 || l.max_held_candidates == 0) {
    return "limits must be positive";
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- attempts

void Session::on_join(TimeMs now) {
  // Dormant (until-connected): the app asks to reopen, e.g. to meet peers who arrived meanwhile.
  if (ctx_.state == SessionState::dormant) {
    wake(now);
    return;
  }
  if (ctx_.state != SessionState::idle)
    return;
  if (auto problem = config_problem()) {
    fatal(errc::invalid_config, *problem);
    return;
  }
  token_ = ctx_.config.token;
  endpoints_ = {ctx_.config.url};
  endpoints_.insert(endpoints_.end(), ctx_.config.fallback_urls.begin(),
                    ctx_.config.fallback_urls.end());
  go(SessionEvent::join);
  ctx_.timers.set(Timer::connect, now + ctx_.config.connect_timeout_ms);
  start_attempt(now);
}

void Session::start_attempt(TimeMs now) {
  if (!endpoints_.empty())
    ctx_.config.url = endpoints_[endpoint_];
  if (ctx_.config.token_provider) {
    awaiting_token_ = true;
    ctx_.timers.set(Timer::token, now + kTokenTimeoutMs);
    ctx_.emit(output::RequestToken{});
    return;
  }
  run_step(ctx_.dialect->begin_attempt(ctx_.config, token_), now);
}

/// One step of the dialect's connection setup: an HTTP request, the socket, or giving up.
void Session::run_step(dialects::Dialect::Step step, TimeMs now) {
  if (auto* request = std::get_if<dialects::Dialect::Request>(&step)) {
    negotiate_id_ = next_request_id_++;
    request->request.id = *negotiate_id_;
    ctx_.timers.set(Timer::probe, now + kProbeTimeoutMs);
    ctx_.emit(std::move(request->request));
    return;
  }
  if (auto* failed = std::get_if<dialects::Dialect::Fail>(&step)) {
    if (failed->fatal) {
      fatal(failed->code, failed->message);
    } else {
      ctx_.error(failed->code, failed->message);
      lost(now);
    }
    return;
  }
  socket_url_ = std::get<dialects::Dialect::Connect>(step).url;
  ctx_.socket = SocketState::opening;
  // Bounds a transport that neither opens nor fails (the browser's own timeout is minutes).
  ctx_.timers.set(Timer::server_timeout, now + ctx_.config.server_timeout_ms);
  ctx_.emit(output::OpenSocket{socket_url_});
}

void Session::on_token(const input::TokenProvided& t, TimeMs now) {
  if (!awaiting_token_ || ctx_.state != SessionState::connecting)
    return;
  awaiting_token_ = false;
  ctx_.timers.clear(Timer::token);
  if (!t.token) {
    ctx_.error(errc::token_failed, t.error.empty() ? "token provider failed" : t.error);
    lost(now);
    return;
  }
  token_ = t.token;
  run_step(ctx_.dialect->begin_attempt(ctx_.config, token_), now);
}

void Session::on_socket_opened(TimeMs now) {
  if (ctx_.state != SessionState::connecting || ctx_.socket != SocketState::opening)
    return;
  ctx_.socket = SocketState::open;
  go(SessionEvent::socket_opened);
  // A server that never speaks (relay) can only be judged by the socket itself.
  if (ctx_.dialect->server_heartbeats())
    ctx_.timers.set(Timer::server_timeout, now + ctx_.config.server_timeout_ms);
  else
    ctx_.timers.clear(Timer::server_timeout);
  msg::Join join{ctx_.config.room,
                 validation::truncate_utf8(ctx_.config.name, ctx_.config.limits.max_name_bytes),
                 std::nullopt, std::nullopt, std::nullopt};
  stream_.prepare_join(join);
  ctx_.send(join, now);
}

void Session::on_socket_closed(const input::SocketClosed& c, TimeMs now) {
  if (ctx_.socket == SocketState::none)
    return;
  const bool never_opened = ctx_.socket == SocketState::opening && !c.was_open;
  ctx_.socket = SocketState::none;
  if (never_opened) {
    probe(now);
    return;
  }
  lost(now);
}

/// The browser hid the HTTP status of the refused upgrade; ask the same endpoint over HTTP.
void Session::probe(TimeMs now) {
  ctx_.timers.clear(Timer::server_timeout);
  probe_id_ = next_request_id_++;
  ctx_.timers.set(Timer::probe, now + kProbeTimeoutMs);
  ctx_.emit(output::HttpRequest{*probe_id_, "GET", url::to_http(socket_url_), {}, {}});
}

void Session::on_http_response(const input::HttpResponse& r, TimeMs now) {
  if (negotiate_id_ && r.request_id == *negotiate_id_) {
    negotiate_id_.reset();
    ctx_.timers.clear(Timer::probe);
    run_step(ctx_.dialect->on_http_response(r.status, r.body), now);
    return;
  }
  if (!probe_id_ || r.request_id != *probe_id_)
    return;
  probe_id_.reset();
  ctx_.timers.clear(Timer::probe);
  if (auto refused = ctx_.dialect->refusal(r.status, ctx_.config)) {
    run_step(std::move(*refused), now);
  } else if (r.status == 401) {
    fatal(errc::unauthorized, "the server refused the token (HTTP 401)");
  } else if (r.status == 403) {
    fatal(errc::forbidden,
          "the token does not grant room \"" + ctx_.config.room + "\" (HTTP 403)");
  } else {
    ctx_.error(errc::connect_failed, why_not_opened(r.status, r.body));
    lost(now);
  }
}

/// The probed endpoint as messages name it: the configured URL over http(s), without its query,
/// so a token in it never reaches a message.
std::string Session::probed_url() const {
  std::string where = url::to_http(ctx_.config.url);
  return where.substr(0, where.find('?'));
}

/// What the probe says about a socket that never opened.
std::string Session::why_not_opened(int status, const std::string& detail) const {
  const std::string where = probed_url();
  if (status == 0) {
    std::string text = "could not reach " + where + " (connection refused, unknown host or TLS failure)";
    if (!detail.empty())
      text += ": " + validation::truncate_utf8(detail, 200);
    return text;
  }
  if (status == 426)
    return where + " is a WebSocket endpoint (HTTP 426 to a plain GET), but the WebSocket closed before opening";
  std::string text = where + " answered HTTP " + std::to_string(status) + " instead of a WebSocket";
  if (status == 404)
    text += " (is the path right?)";
  return text;
}

// ---------------------------------------------------------------- losing and retrying

/// Socket gone, server silent, handshake failed or probe inconclusive: back off and retry.
void Session::lost(TimeMs now) {
  ctx_.dialect->socket_closed(); // lost() only runs once an attempt started: there is a dialect
  ctx_.socket = SocketState::none;
  awaiting_token_ = false;
  probe_id_.reset();
  negotiate_id_.reset();
  for (auto t : {Timer::ping, Timer::server_timeout, Timer::stable, Timer::ack, Timer::probe,
                 Timer::token, Timer::pacing}) {
    ctx_.timers.clear(t);
  }
  // An attempt that never opened moves on to the next endpoint; a session that was open retries
  // its own first (most drops are the socket, not the server).
  const bool was_open = ctx_.state == SessionState::open;
  if (!go(SessionEvent::connection_lost))
    return;
  if (!was_open && !endpoints_.empty())
    endpoint_ = (endpoint_ + 1) % endpoints_.size();
  if (!ctx_.config.reconnect.enabled) {
    fatal(errc::reconnect_exhausted, "connection lost and reconnecting is disabled");
    return;
  }
  // Offline: nothing is counted or announced; NetworkOnline starts an attempt at once.
  if (online_)
    schedule_attempt(now, std::nullopt);
}

/// Counts the next attempt and announces it with its delay (`forced`: online retries at 0).
void Session::schedule_attempt(TimeMs now, std::optional<std::uint32_t> forced) {
  if (backoff_.exhausted()) {
    fatal(errc::reconnect_exhausted,
          "gave up after " + std::to_string(backoff_.attempt()) + " reconnect attempts");
    return;
  }
  std::uint32_t delay = backoff_.next_delay();
  if (forced)
    delay = *forced;
  ++ctx_.stats.reconnects;
  attempt_pending_ = true;
  ctx_.emit(output::Reconnecting{backoff_.attempt(), delay});
  ctx_.timers.set(Timer::retry, now + delay);
}

void Session::retry(TimeMs now) {
  ctx_.timers.clear(Timer::retry);
  attempt_pending_ = false;
  if (!go(SessionEvent::retry))
    return;
  start_attempt(now);
}

void Session::on_network(bool online, TimeMs now) {
  online_ = online;
  if (ctx_.state != SessionState::reconnecting)
    return;
  if (!online_) {
    // The announced attempt (if any) stays pending and starts as soon as we are back online.
    ctx_.timers.clear(Timer::retry);
    return;
  }
  if (attempt_pending_) {
    ctx_.emit(output::Reconnecting{backoff_.attempt(), 0});
  } else {
    schedule_attempt(now, 0u);
  }
  if (ctx_.state == SessionState::reconnecting)
    retry(now);
}

// ---------------------------------------------------------------- in the room

void Session::on_frame(TimeMs now) {
  if (ctx_.dialect->server_heartbeats())
    ctx_.timers.set(Timer::server_timeout, now + ctx_.config.server_timeout_ms);
}

void Session::on_welcome(const msg::Welcome& w, TimeMs now) {
  ctx_.self_id = w.id;
  ever_opened_ = true;
  ctx_.pacer.configure(w.rate, now);
  ctx_.timers.clear(Timer::connect);
  ctx_.timers.set(Timer::stable, now + ctx_.config.reconnect.stable_after_ms);
  ctx_.timers.set(Timer::ping, now + ctx_.config.ping_interval_ms);
}

void Session::on_server_error(const msg::ServerError& e) {
  if (const char* code = fatal_server_code(e.code); e.fatal && code) {
    fatal(code, e.message);
    return;
  }
  // A signal crossed its peer's departure (a reload, StrictMode's rehearsal mount): the server
  // could not deliver it, and the peer-left on its way says the rest. Nothing for the app to do.
  if (!e.fatal && e.code == "unknown-peer")
    return;
  ctx_.error(errc::server_error, e.code + (e.message.empty() ? "" : ": " + e.message));
}

bool Session::on_timeout(TimeMs now) {
  if (ctx_.timers.take_due(Timer::connect, now) && !ever_opened_) {
    fatal(errc::timeout,
          "not joined within " + std::to_string(ctx_.config.connect_timeout_ms) + " ms");
    return false;
  }
  if (ctx_.timers.take_due(Timer::token, now)) {
    ctx_.error(errc::token_failed, "the token provider did not answer");
    lost(now);
  }
  if (ctx_.timers.take_due(Timer::probe, now)) {
    if (probe_id_) {
      ctx_.error(errc::connect_failed, "the WebSocket did not open and " + probed_url() +
                                           " did not answer within " +
                                           std::to_string(kProbeTimeoutMs) + " ms");
    }
    probe_id_.reset();
    negotiate_id_.reset();
    lost(now);
  }
  if (ctx_.timers.take_due(Timer::server_timeout, now)) {
    close_socket(kCloseServerTimeout, "server timeout");
    lost(now);
  }
  if (ctx_.timers.take_due(Timer::retry, now))
    retry(now);
  if (ctx_.timers.take_due(Timer::ping, now))
    ctx_.send(msg::Ping{}, now);
  if (ctx_.timers.take_due(Timer::stable, now))
    backoff_.reset();
  return true;
}

// ---------------------------------------------------------------- until-connected

void Session::park() {
  if (ctx_.state != SessionState::open)
    return;
  close_socket(kCloseNormal, "signaling done");
  for (auto t : {Timer::ping, Timer::server_timeout, Timer::stable, Timer::ack, Timer::probe,
                 Timer::token, Timer::pacing, Timer::retry}) {
    ctx_.timers.clear(t);
  }
  go(SessionEvent::park);
}

void Session::wake(TimeMs now) {
  if (!go(SessionEvent::wake))
    return;
  backoff_.reset();
  start_attempt(now);
}

// ---------------------------------------------------------------- the end

void Session::fatal(const char* code, std::string message) {
  if (ctx_.state == SessionState::closed)
    return;
  close_socket(kCloseNormal, code);
  ctx_.emit(output::Error{code, std::move(message), true});
  go(SessionEvent::fatal);
  enter_closed();
}

void Session::on_leave(TimeMs now) {
  if (ctx_.state == SessionState::closed)
    return;
  ctx_.send(msg::Leave{}, now);
  close_socket(kCloseNormal, "leave");
  go(SessionEvent::leave);
  enter_closed();
}

void Session::enter_closed() {
  ctx_.timers.clear_all();
  attempt_pending_ = false;
  awaiting_token_ = false;
  probe_id_.reset();
  negotiate_id_.reset();
  peers_.close_all();
}

} // namespace rtc_signaling::core

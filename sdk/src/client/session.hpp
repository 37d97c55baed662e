// The session's lifecycle (docs/ARCHITECTURE.md#the-session): connection attempts through the
// dialect's handshake steps, the token provider, the endpoint probe after a refused upgrade,
// backoff and reconnecting, the heartbeat and the server timeout, offline/online, and the
// fatal end. Where the session goes is decided by the table in session_machine.hpp; this class
// decides which event happened and performs the effects of entering a state.
//
// Close codes it sends: 1000 for Leave and fatal errors, 4000 when the server went silent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "backoff.hpp"
#include "client/context.hpp"
#include "client/peer_table.hpp"
#include "client/reliable_stream.hpp"
#include "session_machine.hpp"

namespace rtc_signaling::core {

class Session {
public:
  /// How long the embedder may take to answer a probe or a token request before the attempt
  /// counts as failed; neither has a configurable timeout of its own.
  static constexpr TimeMs kProbeTimeoutMs = 10'000;
  static constexpr TimeMs kTokenTimeoutMs = 10'000;

  Session(Context& ctx, ReliableStream& stream, PeerTable& peers);

  void on_join(TimeMs now);
  void on_leave(TimeMs now);
  void on_token(const input::TokenProvided& t, TimeMs now);
  void on_socket_opened(TimeMs now);
  void on_socket_closed(const input::SocketClosed& c, TimeMs now);
  void on_http_response(const input::HttpResponse& r, TimeMs now);
  void on_network(bool online, TimeMs now);
  /// Any frame, even a bad one, proves the server is alive.
  void on_frame(TimeMs now);
  /// The welcome's part for the session: in the room, the stable and ping timers, the pacer.
  void on_welcome(const msg::Welcome& w, TimeMs now);
  /// The state change to open; after the peer table's reconcile, before its announcements.
  void opened() { go(SessionEvent::welcome); }
  void on_server_error(const msg::ServerError& e);
  /// The session's own deadlines. False when one of them ended the session.
  bool on_timeout(TimeMs now);
  /// signaling: until-connected. park closes the socket of an open session on purpose (no
  /// reconnect follows); wake starts an attempt from dormant at once, uncounted.
  void park();
  void wake(TimeMs now);

private:
  Context& ctx_;
  ReliableStream& stream_;
  PeerTable& peers_;
  Backoff backoff_;

  bool ever_opened_ = false;
  bool online_ = true;
  bool awaiting_token_ = false;
  std::optional<std::string> token_;
  std::string socket_url_;
  /// Config::url then Config::fallback_urls, and the one the next attempt uses.
  std::vector<std::string> endpoints_;
  std::size_t endpoint_ = 0;
  std::optional<std::uint32_t> probe_id_;
  std::optional<std::uint32_t> negotiate_id_; ///< the dialect's pre-socket HTTP step (SignalR)
  std::uint32_t next_request_id_ = 1;
  /// An attempt was counted and announced but has not started (its delay, or offline).
  bool attempt_pending_ = false;

  bool go(SessionEvent event);
  std::optional<std::string> config_problem() const;
  void start_attempt(TimeMs now);
  void run_step(dialects::Dialect::Step step, TimeMs now);
  void probe(TimeMs now);
  std::string probed_url() const;
  std::string why_not_opened(int status, const std::string& detail) const;
  void lost(TimeMs now);
  void schedule_attempt(TimeMs now, std::optional<std::uint32_t> forced);
  void retry(TimeMs now);
  void fatal(const char* code, std::string message);
  void close_socket(int code, std::string reason);
  void enter_closed();
};

} // namespace rtc_signaling::core

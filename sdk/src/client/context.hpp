// What the parts of a Client share (docs/ARCHITECTURE.md#the-client): the configuration, the
// dialect, the named deadlines, the pacer, the queue of outputs and the session's identity.
// Session is the only part that writes `state`, `socket` and `self_id`; the others read them.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "dialects/dialect.hpp"
#include "messages.hpp"
#include "pacer.hpp"
#include "rtc_signaling/client.hpp"
#include "timers.hpp"

namespace rtc_signaling::core {

enum class SocketState { none, opening, open };

struct Context {
  explicit Context(Config c) : config(std::move(c)), dialect(dialects::make_dialect(config)) {}

  Config config;
  std::unique_ptr<dialects::Dialect> dialect; ///< null for an unsupported dialect name
  Timers timers;
  Pacer pacer;
  std::deque<Output> outputs;
  Stats stats;

  SessionState state = SessionState::idle;
  SocketState socket = SocketState::none;
  PeerId self_id;

  bool socket_open() const { return socket == SocketState::open; }
  bool session_open() const { return state == SessionState::open; }

  void emit(Output o) { outputs.push_back(std::move(o)); }
  /// A non-fatal Error output.
  void error(const char* code, std::string message) {
    emit(output::Error{code, std::move(message), false});
  }
  /// Encodes `m` into the dialect's frames on the open socket (nothing when it is not open) and
  /// re-arms the ping: any outgoing frame proves we are alive.
  void send(const msg::ClientMessage& m, TimeMs now) {
    if (!socket_open())
      return;
    for (auto& frame : dialect->encode_all(m)) {
      emit(output::SendFrame{std::move(frame)});
      pacer.spend(now);
    }
    if (session_open())
      timers.set(Timer::ping, now + config.ping_interval_ms);
  }
};

} // namespace rtc_signaling::core

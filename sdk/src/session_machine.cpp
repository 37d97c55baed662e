#include "session_machine.hpp"

namespace rtc_signaling::core {

const char* to_string(SessionEvent e) noexcept {
  switch (e) {
  case SessionEvent::join:
    return "join";
  case SessionEvent::socket_opened:
    return "socket_opened";
  case SessionEvent::welcome:
    return "welcome";
  case SessionEvent::connection_lost:
    return "connection_lost";
  case SessionEvent::retry:
    return "retry";
  case SessionEvent::fatal:
    return "fatal";
  case SessionEvent::leave:
    return "leave";
  case SessionEvent::park:
    return "park";
  case SessionEvent::wake:
    return "wake";
  }
  return "unknown";
}

} // namespace rtc_signaling::core

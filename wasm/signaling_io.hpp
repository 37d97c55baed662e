// The driver's signaling side: the one WebSocket, the one setTimeout at the core's next deadline,
// fetch for HttpRequest outputs, and the window's online/offline events. It executes what the
// core asked for and reports what the browser said, through the Port; it decides nothing.
//
// Each socket and timer gets a new generation, bound into its callbacks, so an event from a
// socket or timer already replaced is recognised and ignored.
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "port.hpp"
#include "rtc_signaling/output.hpp"

namespace rtc_signaling::wasm {

enum class SocketEvent : int { open = 0, message = 1, close = 2, error = 3 };

class SignalingIo {
public:
  SignalingIo(int handle, Port& port, std::size_t max_frame_bytes);

  /// performance.now(): the clock every input is handled at.
  TimeMs now() const;
  void listen_network();
  void teardown();

  // ---- outputs
  void open_socket(const std::string& url);
  void send_frame(const std::string& text);
  /// The core asked for this close (or a new socket replaces this one): no SocketClosed follows.
  void drop_socket(int code, const std::string& reason);
  void http_request(const output::HttpRequest& request);
  /// Keeps one timer at `deadline` (none for nullopt).
  void arm_timer(std::optional<TimeMs> deadline);

  // ---- browser callbacks
  void on_socket(int generation, SocketEvent kind, const emscripten::val& event);
  void on_timer(int generation);
  void on_network(bool online);
  void on_http(int token, int stage, bool ok, const emscripten::val& result);

private:
  struct PendingHttp {
    std::uint32_t request_id = 0;
    int status = 0;
  };

  void clear_timer();

  int handle_;
  Port& port_;
  std::size_t max_frame_bytes_;
  emscripten::val performance_;

  emscripten::val socket_ = emscripten::val::undefined();
  int socket_generation_ = 0;
  bool socket_was_open_ = false;

  emscripten::val timer_ = emscripten::val::undefined();
  int timer_generation_ = 0;
  std::optional<TimeMs> armed_deadline_;

  emscripten::val online_listener_ = emscripten::val::undefined();
  emscripten::val offline_listener_ = emscripten::val::undefined();

  std::map<int, PendingHttp> http_;
  int next_http_token_ = 1;
};

} // namespace rtc_signaling::wasm

// One Driver per connected client: the loop that hands inputs to the core and routes each output
// to the part that executes it on browser objects: SignalingIo (WebSocket, setTimeout, fetch,
// online/offline) or PeerIo (RTCPeerConnection, RTCDataChannel, senders, JSEP operations).
// Events come back through the same queue. It holds no protocol state — every decision is the
// core's (docs/ARCHITECTURE.md#the-wasm-driver).
//
// Browser callbacks reach a Driver through trampolines (see registry.hpp) bound with the driver's
// handle and a generation or operation token, so a late event from an object this driver already
// dropped is recognised and ignored.
#pragma once

#include <emscripten/val.h>

#include <deque>
#include <optional>
#include <string>

#include "peer_io.hpp"
#include "port.hpp"
#include "signaling_io.hpp"
#include "rtc_signaling/client.hpp"

namespace rtc_signaling::wasm {

class Driver final : private Port {
public:
  /// emit(type, payload) delivers app events to JS and must never throw.
  Driver(int handle, Config config, emscripten::val rtc_configuration, emscripten::val emit);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  void start();
  /// Leaves the room and releases every browser object. Idempotent. When called from inside an
  /// event callback the release happens once the current input has been fully processed.
  void close();
  /// True once every browser object is released; the registry then frees the driver.
  bool finished() const { return finished_; }

  /// Each returns null on success or {code, message}.
  emscripten::val send(const std::string& peer, const emscripten::val& data);
  emscripten::val restart_ice(const std::string& peer);
  /// client.invoke(): answered by a "hub-result" event with the same id.
  void invoke(unsigned id, const std::string& method, const std::string& arguments);
  /// Sends to every peer whose channel is open; returns how many.
  int broadcast(const emscripten::val& data);
  void set_local_stream(const emscripten::val& stream);
  void provide_token(const emscripten::val& token, const std::string& error);

  std::string id() const;
  std::string state() const;
  emscripten::val peers() const;
  emscripten::val stats() const;  ///< the core's counters (diagnostics, tests)
  /// pc.getStats() for one peer: a promise, or null when there is no connection to it yet.
  emscripten::val peer_stats(const std::string& peer);
  /// Emit a `log` event ({message}: rtc_signaling::describe) for every command executed.
  void set_trace(bool on) { trace_ = on; }

  // Browser callbacks, reached through the trampolines.
  void on_socket(int generation, SocketEvent kind, const emscripten::val& event);
  void on_timer(int generation);
  void on_network(bool online);
  void on_http(int token, int stage, bool ok, const emscripten::val& result);
  void on_peer(int generation, PeerEvent kind, const emscripten::val& event);
  void on_operation(int token, bool ok, const emscripten::val& result);

private:
  void feed(std::optional<Input> input) override;
  void emit(const char* type, const emscripten::val& payload) override;
  /// Hands queued inputs to the core and executes its outputs until both are drained.
  void pump();
  void execute(const Output& output);
  void teardown();

  Client core_;
  emscripten::val emit_;
  SignalingIo signaling_;
  PeerIo peers_;

  // `nullopt` in the queue means "the timer fired": handle_timeout(now).
  std::deque<std::optional<Input>> queue_;
  bool pumping_ = false;
  bool close_requested_ = false;
  bool trace_ = false;
  bool finished_ = false;
};

} // namespace rtc_signaling::wasm

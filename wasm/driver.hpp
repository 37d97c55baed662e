// One Driver per connected client: it executes the core's outputs on browser objects (WebSocket,
// setTimeout, fetch, RTCPeerConnection, RTCDataChannel) and feeds browser events back as inputs.
// It holds no protocol state — every decision is the core's (docs/ARCHITECTURE.md#the-wasm-driver).
//
// Browser callbacks reach a Driver through trampolines (see registry.hpp) bound with the driver's
// handle and a generation or operation token, so a late event from an object this driver already
// dropped is recognised and ignored.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "guarded_call.hpp"
#include "rtc_signaling/client.hpp"

namespace rtc_signaling::wasm {

enum class SocketEvent : int { open = 0, message = 1, close = 2, error = 3 };
enum class PeerEvent : int {
  negotiation_needed = 0,
  ice_candidate = 1,
  signaling_state = 2,
  connection_state = 3,
  track = 4,
  channel_open = 5,
  channel_close = 6,
  channel_message = 7,
};

class Driver {
public:
  /// emit(type, payload) delivers app events to JS and must never throw.
  Driver(int handle, Config config, emscripten::val ice_servers, emscripten::val emit);
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
  /// Sends to every peer whose channel is open; returns how many.
  int broadcast(const emscripten::val& data);
  void set_local_stream(const emscripten::val& stream);
  void provide_token(const emscripten::val& token, const std::string& error);

  std::string id() const;
  std::string state() const;
  emscripten::val peers() const;
  emscripten::val stats() const;  ///< the core's counters (diagnostics, tests)

  // Browser callbacks, reached through the trampolines.
  void on_socket(int generation, SocketEvent kind, const emscripten::val& event);
  void on_timer(int generation);
  void on_network(bool online);
  void on_http(int token, int stage, bool ok, const emscripten::val& result);
  void on_peer(int generation, PeerEvent kind, const emscripten::val& event);
  void on_operation(int token, bool ok, const emscripten::val& result);

private:
  struct PeerConnection {
    int generation = 0;
    emscripten::val pc = emscripten::val::undefined();
    emscripten::val channel = emscripten::val::undefined();
    /// `channel: open` was reported and `channel: closed` not yet.
    bool channel_reported_open = false;
    /// One RTCRtpSender per local track, so a new stream can replaceTrack by kind.
    std::vector<emscripten::val> senders;
    std::vector<std::string> sender_kinds;
  };
  enum class OpKind { offer, answer, rollback, remote, candidate, end_of_candidates };
  struct PendingOp {
    PeerId peer;
    std::uint64_t op_id = 0;
    OpKind kind = OpKind::remote;
    int step = 0;
    emscripten::val argument = emscripten::val::undefined();
  };
  struct PendingHttp {
    std::uint32_t request_id = 0;
    int status = 0;
  };

  // `nullopt` in the queue means "the timer fired": handle_timeout(now).
  void feed(std::optional<Input> input);
  void pump();
  void execute(const Output& output);
  void emit(const char* type, const emscripten::val& payload);
  void emit_channel_state(const PeerId& peer, bool open);
  TimeMs now() const;
  void rearm_timer();
  void clear_timer();
  void teardown();

  void open_socket(const std::string& url);
  void send_frame(const std::string& text);
  void drop_socket(int code, const std::string& reason);
  void http_request(const output::HttpRequest& request);

  void create_peer_connection(const output::CreatePeerConnection& create);
  void close_peer_connection(const PeerId& peer);
  void apply_local_stream(PeerConnection& connection);
  void start_operation(PendingOp op);
  void run_step(int token, const emscripten::val& previous);
  void await_result(int token, const CallResult& result);
  void finish_operation(int token, bool ok, const std::string& error);
  PeerConnection* find_peer(const PeerId& peer);

  int handle_;
  Client core_;
  emscripten::val ice_servers_;
  emscripten::val emit_;
  emscripten::val performance_;

  std::deque<std::optional<Input>> queue_;
  bool pumping_ = false;
  bool close_requested_ = false;
  bool finished_ = false;

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

  emscripten::val local_stream_ = emscripten::val::null();
  std::map<PeerId, PeerConnection> peers_;
  std::map<int, PeerId> peer_by_generation_;
  int next_peer_generation_ = 1;
  std::map<int, PendingOp> operations_;
  int next_operation_token_ = 1; ///< 0 is reserved for "ignore the settlement"
};

} // namespace rtc_signaling::wasm

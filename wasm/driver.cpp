#include "driver.hpp"

#include <type_traits>
#include <utility>

#include "convert.hpp"
#include "guarded_call.hpp"
#include "rtc_signaling/describe.hpp"

namespace rtc_signaling::wasm {

using emscripten::val;

Driver::Driver(int handle, Config config, val rtc_configuration, val emit)
    : core_(std::move(config)), emit_(std::move(emit)),
      signaling_(handle, *this, core_.config().limits.max_frame_bytes),
      peers_(handle, *this, std::move(rtc_configuration)) {}

Driver::~Driver() = default;

// ---------------------------------------------------------------- lifecycle

/// Also `_start` on a dormant session: the core wakes it (the app wants to meet new peers).
void Driver::start() {
  signaling_.listen_network();
  feed(input::Join{});
}

void Driver::close() {
  if (finished_ || close_requested_)
    return;
  close_requested_ = true;
  feed(input::Leave{});
}

void Driver::teardown() {
  signaling_.teardown();
  peers_.teardown();
  queue_.clear();
  emit_ = val::undefined();
  finished_ = true;
}

// ---------------------------------------------------------------- the input/output loop

void Driver::feed(std::optional<Input> input) {
  if (finished_)
    return;
  queue_.push_back(std::move(input));
  pump();
}

// Inputs produced while outputs are executing (a JS listener calling restartIce(), a WebSocket
// constructor failing synchronously) are queued and handled after the current drain, so the core
// is never re-entered.
void Driver::pump() {
  if (pumping_)
    return;
  pumping_ = true;
  while (!queue_.empty()) {
    std::optional<Input> next = std::move(queue_.front());
    queue_.pop_front();
    TimeMs at = signaling_.now();
    if (next) {
      core_.handle(std::move(*next), at);
    } else {
      core_.handle_timeout(at);
    }
    while (auto output = core_.poll(at))
      execute(*output);
  }
  pumping_ = false;
  if (close_requested_) {
    teardown();
  } else {
    signaling_.arm_timer(core_.next_deadline());
  }
}

void Driver::emit(const char* type, const val& payload) {
  if (is_nullish(emit_))
    return;
  guarded_call(emit_, "call", js_args(val::undefined(), std::string(type), payload));
}

void Driver::execute(const Output& output) {
  if (trace_) {
    if (auto line = describe(output)) {
      val payload = val::object();
      payload.set("message", *line);
      emit("log", payload);
    }
  }
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, output::OpenSocket>) {
          signaling_.open_socket(o.url);
        } else if constexpr (std::is_same_v<T, output::SendFrame>) {
          signaling_.send_frame(o.text);
        } else if constexpr (std::is_same_v<T, output::CloseSocket>) {
          signaling_.drop_socket(o.code, o.reason);
        } else if constexpr (std::is_same_v<T, output::HttpRequest>) {
          signaling_.http_request(o);
        } else if constexpr (std::is_same_v<T, output::RequestToken>) {
          emit("token-request", val::object());
        } else if constexpr (std::is_same_v<T, output::CreatePeerConnection>) {
          peers_.create(o);
        } else if constexpr (std::is_same_v<T, output::ClosePeerConnection>) {
          peers_.close(o.peer);
        } else if constexpr (std::is_same_v<T, output::SetLocalDescription>) {
          peers_.set_local_description(o);
        } else if constexpr (std::is_same_v<T, output::SetRemoteDescription>) {
          peers_.set_remote_description(o);
        } else if constexpr (std::is_same_v<T, output::AddIceCandidate>) {
          peers_.add_ice_candidate(o);
        } else if constexpr (std::is_same_v<T, output::OpenSignalChannel>) {
          peers_.open_signal_channel(o.peer);
        } else if constexpr (std::is_same_v<T, output::SendOnSignalChannel>) {
          peers_.send_on_signal_channel(o);
        } else {
          if (auto event = app_event(output))
            emit(event->name, event->payload);
        }
      },
      output);
}

// ---------------------------------------------------------------- browser callbacks

void Driver::on_socket(int generation, SocketEvent kind, const val& event) {
  signaling_.on_socket(generation, kind, event);
}
void Driver::on_timer(int generation) {
  signaling_.on_timer(generation);
}
void Driver::on_network(bool online) {
  signaling_.on_network(online);
}
void Driver::on_http(int token, int stage, bool ok, const val& result) {
  signaling_.on_http(token, stage, ok, result);
}
void Driver::on_peer(int generation, PeerEvent kind, const val& event) {
  peers_.on_peer(generation, kind, event);
}
void Driver::on_operation(int token, bool ok, const val& result) {
  peers_.on_operation(token, ok, result);
}

// ---------------------------------------------------------------- app requests and getters

void Driver::provide_token(const val& token, const std::string& error) {
  input::TokenProvided provided;
  if (token.isString())
    provided.token = token.as<std::string>();
  provided.error = error;
  feed(std::move(provided));
}

val Driver::send(const std::string& peer, const val& data) {
  return peers_.send(peer, data, core_.peers().count(peer) != 0);
}

int Driver::broadcast(const val& data) {
  return peers_.broadcast(data);
}

void Driver::set_local_stream(const val& stream) {
  peers_.set_local_stream(stream);
}

val Driver::restart_ice(const std::string& peer) {
  if (core_.peers().count(peer) == 0) {
    return error_value("unknown-peer", "no peer '" + peer + "' in the room");
  }
  feed(input::RestartIce{peer});
  return val::null();
}

void Driver::invoke(unsigned id, const std::string& method, const std::string& arguments) {
  feed(input::InvokeHub{id, method, arguments});
}

val Driver::peer_stats(const std::string& peer) {
  return peers_.stats(peer);
}

std::string Driver::id() const {
  return core_.self_id();
}
std::string Driver::state() const {
  return to_string(core_.state());
}
val Driver::peers() const {
  return peers_to_val(core_.peers());
}

val Driver::stats() const {
  const Stats& s = core_.stats();
  val out = val::object();
  // Counters stay far below 2^53, so doubles carry them exactly.
  out.set("framesReceived", static_cast<double>(s.frames_received));
  out.set("framesDropped", static_cast<double>(s.frames_dropped));
  out.set("unknownTypes", static_cast<double>(s.unknown_types));
  out.set("signalsReceived", static_cast<double>(s.signals_received));
  out.set("signalsSent", static_cast<double>(s.signals_sent));
  out.set("signalsReceivedInBand", static_cast<double>(s.signals_received_in_band));
  out.set("signalsSentInBand", static_cast<double>(s.signals_sent_in_band));
  out.set("reconnects", static_cast<double>(s.reconnects));
  return out;
}

} // namespace rtc_signaling::wasm

#include "signaling_io.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "guarded_call.hpp"
#include "registry.hpp"

namespace rtc_signaling::wasm {

using emscripten::val;

namespace {
constexpr const char* kSocketHandlers[] = {"onopen", "onmessage", "onclose", "onerror"};
} // namespace

SignalingIo::SignalingIo(int handle, Port& port, std::size_t max_frame_bytes)
    : handle_(handle), port_(port), max_frame_bytes_(max_frame_bytes),
      performance_(val::global("performance")) {}

TimeMs SignalingIo::now() const {
  return static_cast<TimeMs>(performance_.call<double>("now"));
}

void SignalingIo::listen_network() {
  val global = val::global();
  if (global["addEventListener"].typeOf().as<std::string>() != "function" ||
      !is_nullish(online_listener_))
    return;
  online_listener_ = bound_trampoline("_networkEvent", handle_, true);
  offline_listener_ = bound_trampoline("_networkEvent", handle_, false);
  global.call<void>("addEventListener", std::string("online"), online_listener_);
  global.call<void>("addEventListener", std::string("offline"), offline_listener_);
}

void SignalingIo::teardown() {
  clear_timer();
  if (!is_nullish(online_listener_)) {
    val global = val::global();
    global.call<void>("removeEventListener", std::string("online"), online_listener_);
    global.call<void>("removeEventListener", std::string("offline"), offline_listener_);
  }
  online_listener_ = val::undefined();
  offline_listener_ = val::undefined();
  drop_socket(1000, "client closed");
  http_.clear();
}

// ---------------------------------------------------------------- timer

void SignalingIo::clear_timer() {
  if (!is_nullish(timer_))
    val::global("clearTimeout")(timer_);
  timer_ = val::undefined();
  armed_deadline_.reset();
  ++timer_generation_;
}

void SignalingIo::arm_timer(std::optional<TimeMs> deadline) {
  if (deadline == armed_deadline_ && !is_nullish(timer_))
    return;
  clear_timer();
  if (!deadline)
    return;
  double delay = std::max<double>(0.0, static_cast<double>(*deadline) - now());
  timer_ = val::global("setTimeout")(bound_trampoline("_timerFired", handle_, timer_generation_),
                                     std::ceil(delay));
  armed_deadline_ = deadline;
}

void SignalingIo::on_timer(int generation) {
  if (generation != timer_generation_)
    return;
  // The timer may fire a little early by performance.now(); forgetting the armed deadline makes
  // the driver arm a fresh one if the core still has nothing due.
  timer_ = val::undefined();
  armed_deadline_.reset();
  port_.feed(std::nullopt);
}

void SignalingIo::on_network(bool online) {
  if (online) {
    port_.feed(input::NetworkOnline{});
  } else {
    port_.feed(input::NetworkOffline{});
  }
}

// ---------------------------------------------------------------- signaling socket

void SignalingIo::open_socket(const std::string& url) {
  drop_socket(1000, "reconnecting");
  ++socket_generation_;
  socket_was_open_ = false;
  CallResult created = guarded_new(val::global("WebSocket"), js_args(url));
  if (!created.ok) {
    port_.feed(input::SocketClosed{1006, created.error_text(), false});
    return;
  }
  socket_ = created.value;
  socket_.set("binaryType", std::string("arraybuffer"));
  auto handler = [&](SocketEvent kind) {
    return bound_trampoline("_socketEvent", handle_, socket_generation_, static_cast<int>(kind));
  };
  socket_.set("onopen", handler(SocketEvent::open));
  socket_.set("onmessage", handler(SocketEvent::message));
  socket_.set("onclose", handler(SocketEvent::close));
  socket_.set("onerror", handler(SocketEvent::error));
}

void SignalingIo::send_frame(const std::string& text) {
  if (is_nullish(socket_))
    return;
  CallResult sent = guarded_call(socket_, "send", js_args(text));
  if (!sent.ok) {
    // The socket is not in a state to send (the core believed it open): report it lost so the
    // core's normal reconnect path takes over instead of silently dropping the frame.
    bool was_open = socket_was_open_;
    drop_socket(1000, "send failed");
    port_.feed(input::SocketClosed{1006, sent.error_text(), was_open});
  }
}

// The core already knows the socket is gone, so the handlers are detached first and no
// SocketClosed is reported for it.
void SignalingIo::drop_socket(int code, const std::string& reason) {
  if (is_nullish(socket_))
    return;
  detach(socket_, kSocketHandlers, std::size(kSocketHandlers));
  CallResult closed = guarded_call(socket_, "close", js_args(code, reason));
  if (!closed.ok)
    guarded_call(socket_, "close", val::array());
  socket_ = val::undefined();
  ++socket_generation_;
}

void SignalingIo::on_socket(int generation, SocketEvent kind, const val& event) {
  if (generation != socket_generation_ || is_nullish(socket_))
    return;
  switch (kind) {
  case SocketEvent::open:
    socket_was_open_ = true;
    port_.feed(input::SocketOpened{});
    break;
  case SocketEvent::message: {
    val data = event["data"];
    // Measured in JS, before anything is copied into wasm memory (which never shrinks): a
    // string's UTF-8 form is at least as long as its UTF-16 length, so `length` over the limit
    // is over for sure; at or under it the copy is at most 3x the limit and the core decides.
    const double limit = static_cast<double>(max_frame_bytes_);
    const val size = data.isString() ? data["length"] : data["byteLength"];
    if (size.isNumber() && size.as<double>() > limit) {
      port_.feed(input::FrameTooLarge{static_cast<std::size_t>(size.as<double>())});
      break;
    }
    std::string text;
    if (data.isString()) {
      text = data.as<std::string>();
    } else {
      // Text-only protocol; a binary frame is decoded so the core can judge (and reject) it.
      text = val::global("TextDecoder").new_().call<std::string>("decode", data);
    }
    port_.feed(input::FrameReceived{std::move(text)});
    break;
  }
  case SocketEvent::close: {
    int code = event["code"].isNumber() ? event["code"].as<int>() : 1006;
    std::string reason = string_field(event, "reason").value_or("");
    bool was_open = socket_was_open_;
    detach(socket_, kSocketHandlers, std::size(kSocketHandlers));
    socket_ = val::undefined();
    ++socket_generation_;
    port_.feed(input::SocketClosed{code, std::move(reason), was_open});
    break;
  }
  case SocketEvent::error:
    break; // a close event always follows and carries what the core needs
  }
}

// ---------------------------------------------------------------- HTTP

namespace {

std::string fetch_failure(const val& error) {
  if (is_nullish(error) || error.typeOf().as<std::string>() != "object")
    return {};
  std::string text = error["message"].isString() ? error["message"].as<std::string>() : "";
  val cause = error["cause"];
  if (!is_nullish(cause) && cause.typeOf().as<std::string>() == "object" &&
      cause["code"].isString())
    text += " (" + cause["code"].as<std::string>() + ")";
  return text;
}

} // namespace

void SignalingIo::http_request(const output::HttpRequest& request) {
  val init = val::object();
  init.set("method", request.method.empty() ? std::string("GET") : request.method);
  val headers = val::object();
  for (const auto& [name, value] : request.headers)
    headers.set(name, value);
  init.set("headers", headers);
  if (!request.body.empty())
    init.set("body", request.body);

  CallResult started = guarded_call(val::global(), "fetch", js_args(request.url, init));
  if (!started.ok || !is_thenable(started.value)) {
    port_.feed(input::HttpResponse{request.id, 0, {}});
    return;
  }
  int token = next_http_token_++;
  http_[token] = PendingHttp{request.id, 0};
  started.value.call<val>("then", bound_trampoline("_httpDone", handle_, token, 0, true),
                          bound_trampoline("_httpDone", handle_, token, 0, false));
}

void SignalingIo::on_http(int token, int stage, bool ok, const val& result) {
  auto it = http_.find(token);
  if (it == http_.end())
    return;
  PendingHttp pending = it->second;
  if (stage == 0 && ok) {
    it->second.status = result["status"].isNumber() ? result["status"].as<int>() : 0;
    CallResult body = guarded_call(result, "text", val::array());
    if (body.ok && is_thenable(body.value)) {
      body.value.call<val>("then", bound_trampoline("_httpDone", handle_, token, 1, true),
                           bound_trampoline("_httpDone", handle_, token, 1, false));
      return;
    }
    http_.erase(it);
    port_.feed(input::HttpResponse{pending.request_id, pending.status, {}});
    return;
  }
  http_.erase(it);
  if (stage == 0) {
    // Network error: status 0, and what fetch said (Node adds the system code: ECONNREFUSED,
    // ENOTFOUND, an SSL error) for the connect-failed message.
    port_.feed(input::HttpResponse{pending.request_id, 0, fetch_failure(result)});
  } else {
    std::string body = ok && result.isString() ? result.as<std::string>() : std::string();
    port_.feed(input::HttpResponse{pending.request_id, pending.status, std::move(body)});
  }
}

} // namespace rtc_signaling::wasm

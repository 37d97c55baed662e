#include "driver.hpp"

#include <cmath>
#include <type_traits>
#include <utility>

#include "convert.hpp"
#include "registry.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling::wasm {

using emscripten::val;

namespace {

constexpr const char* kPeerHandlers[] = {"onnegotiationneeded", "onicecandidate",
                                         "onsignalingstatechange", "onconnectionstatechange",
                                         "ontrack"};
constexpr const char* kChannelHandlers[] = {"onopen", "onclose", "onmessage"};
constexpr const char* kSocketHandlers[] = {"onopen", "onmessage", "onclose", "onerror"};

void detach(val& target, const char* const* names, std::size_t count) {
  if (is_nullish(target))
    return;
  for (std::size_t i = 0; i < count; ++i)
    target.set(names[i], val::null());
}

val error_value(const char* code, const std::string& message) {
  val error = val::object();
  error.set("code", std::string(code));
  error.set("message", message);
  return error;
}

bool is_thenable(const val& value) {
  return !is_nullish(value) && value["then"].typeOf().as<std::string>() == "function";
}

} // namespace

Driver::Driver(int handle, Config config, val ice_servers, val emit)
    : handle_(handle), core_(std::move(config)), ice_servers_(std::move(ice_servers)),
      emit_(std::move(emit)), performance_(val::global("performance")) {}

Driver::~Driver() = default;

// ---------------------------------------------------------------- lifecycle

void Driver::start() {
  val global = val::global();
  if (global["addEventListener"].typeOf().as<std::string>() == "function") {
    online_listener_ = bound_trampoline("_networkEvent", handle_, true);
    offline_listener_ = bound_trampoline("_networkEvent", handle_, false);
    global.call<void>("addEventListener", std::string("online"), online_listener_);
    global.call<void>("addEventListener", std::string("offline"), offline_listener_);
  }
  feed(input::Join{});
}

void Driver::close() {
  if (finished_ || close_requested_)
    return;
  close_requested_ = true;
  feed(input::Leave{});
}

void Driver::teardown() {
  clear_timer();
  if (!is_nullish(online_listener_)) {
    val global = val::global();
    global.call<void>("removeEventListener", std::string("online"), online_listener_);
    global.call<void>("removeEventListener", std::string("offline"), offline_listener_);
  }
  online_listener_ = val::undefined();
  offline_listener_ = val::undefined();
  drop_socket(1000, "client closed");
  while (!peers_.empty())
    close_peer_connection(peers_.begin()->first);
  operations_.clear();
  http_.clear();
  queue_.clear();
  local_stream_ = val::null();
  ice_servers_ = val::undefined();
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
    TimeMs at = now();
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
    rearm_timer();
  }
}

TimeMs Driver::now() const {
  return static_cast<TimeMs>(performance_.call<double>("now"));
}

void Driver::emit_channel_state(const PeerId& peer, bool open) {
  val payload = val::object();
  payload.set("id", peer);
  payload.set("state", std::string(open ? "open" : "closed"));
  emit("channel", payload);
}

void Driver::emit(const char* type, const val& payload) {
  if (is_nullish(emit_))
    return;
  guarded_call(emit_, "call", js_args(val::undefined(), std::string(type), payload));
}

void Driver::execute(const Output& output) {
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, output::OpenSocket>) {
          open_socket(o.url);
        } else if constexpr (std::is_same_v<T, output::SendFrame>) {
          send_frame(o.text);
        } else if constexpr (std::is_same_v<T, output::CloseSocket>) {
          drop_socket(o.code, o.reason);
        } else if constexpr (std::is_same_v<T, output::HttpRequest>) {
          http_request(o);
        } else if constexpr (std::is_same_v<T, output::RequestToken>) {
          emit("token-request", val::object());
        } else if constexpr (std::is_same_v<T, output::CreatePeerConnection>) {
          create_peer_connection(o);
        } else if constexpr (std::is_same_v<T, output::ClosePeerConnection>) {
          if (PeerConnection* connection = find_peer(o.peer)) {
            const bool channel_was_open = connection->channel_reported_open;
            close_peer_connection(o.peer);
            // pc.close() fires no connectionstatechange (by spec), and the channel's close event
            // may still be queued when its handlers are dropped, so both endings are reported
            // here; the app otherwise never learns them.
            if (channel_was_open)
              emit_channel_state(o.peer, false);
            val payload = val::object();
            payload.set("id", o.peer);
            payload.set("state", std::string("closed"));
            emit("peer-state", payload);
          }
        } else if constexpr (std::is_same_v<T, output::SetLocalDescription>) {
          OpKind kind = o.type == "offer"    ? OpKind::offer
                        : o.type == "answer" ? OpKind::answer
                                             : OpKind::rollback;
          val argument = val::object();
          if (kind == OpKind::offer)
            argument.set("iceRestart", o.ice_restart);
          start_operation(PendingOp{o.peer, o.op_id, kind, 0, argument});
        } else if constexpr (std::is_same_v<T, output::SetRemoteDescription>) {
          start_operation(PendingOp{o.peer, o.op_id, OpKind::remote, 0, to_val(o.description)});
        } else if constexpr (std::is_same_v<T, output::AddIceCandidate>) {
          if (o.candidate) {
            start_operation(PendingOp{o.peer, o.op_id, OpKind::candidate, 0, to_val(*o.candidate)});
          } else {
            start_operation(
                PendingOp{o.peer, o.op_id, OpKind::end_of_candidates, 0, val::undefined()});
          }
        } else {
          if (auto event = app_event(output))
            emit(event->name, event->payload);
        }
      },
      output);
}

// ---------------------------------------------------------------- timer

void Driver::clear_timer() {
  if (!is_nullish(timer_))
    val::global("clearTimeout")(timer_);
  timer_ = val::undefined();
  armed_deadline_.reset();
  ++timer_generation_;
}

void Driver::rearm_timer() {
  auto deadline = core_.next_deadline();
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

void Driver::on_timer(int generation) {
  if (generation != timer_generation_)
    return;
  // The timer may fire a little early by performance.now(); forgetting the armed deadline makes
  // pump() arm a fresh one if the core still has nothing due.
  timer_ = val::undefined();
  armed_deadline_.reset();
  feed(std::nullopt);
}

void Driver::on_network(bool online) {
  if (online) {
    feed(input::NetworkOnline{});
  } else {
    feed(input::NetworkOffline{});
  }
}

// ---------------------------------------------------------------- signaling socket

void Driver::open_socket(const std::string& url) {
  drop_socket(1000, "reconnecting");
  ++socket_generation_;
  socket_was_open_ = false;
  CallResult created = guarded_new(val::global("WebSocket"), js_args(url));
  if (!created.ok) {
    feed(input::SocketClosed{1006, created.error_text(), false});
    return;
  }
  socket_ = created.value;
  socket_.set("binaryType", std::string("arraybuffer"));
  socket_.set("onopen", bound_trampoline("_socketEvent", handle_, socket_generation_,
                                         static_cast<int>(SocketEvent::open)));
  socket_.set("onmessage", bound_trampoline("_socketEvent", handle_, socket_generation_,
                                            static_cast<int>(SocketEvent::message)));
  socket_.set("onclose", bound_trampoline("_socketEvent", handle_, socket_generation_,
                                          static_cast<int>(SocketEvent::close)));
  socket_.set("onerror", bound_trampoline("_socketEvent", handle_, socket_generation_,
                                          static_cast<int>(SocketEvent::error)));
}

void Driver::send_frame(const std::string& text) {
  if (is_nullish(socket_))
    return;
  CallResult sent = guarded_call(socket_, "send", js_args(text));
  if (!sent.ok) {
    // The socket is not in a state to send (the core believed it open): report it lost so the
    // core's normal reconnect path takes over instead of silently dropping the frame.
    bool was_open = socket_was_open_;
    drop_socket(1000, "send failed");
    feed(input::SocketClosed{1006, sent.error_text(), was_open});
  }
}

// The core asked for this close (or a new socket replaces this one): it already knows the socket
// is gone, so the handlers are detached first and no SocketClosed is reported for it.
void Driver::drop_socket(int code, const std::string& reason) {
  if (is_nullish(socket_))
    return;
  detach(socket_, kSocketHandlers, std::size(kSocketHandlers));
  CallResult closed = guarded_call(socket_, "close", js_args(code, reason));
  if (!closed.ok)
    guarded_call(socket_, "close", val::array());
  socket_ = val::undefined();
  ++socket_generation_;
}

void Driver::on_socket(int generation, SocketEvent kind, const val& event) {
  if (generation != socket_generation_ || is_nullish(socket_))
    return;
  switch (kind) {
  case SocketEvent::open:
    socket_was_open_ = true;
    feed(input::SocketOpened{});
    break;
  case SocketEvent::message: {
    val data = event["data"];
    // Measured in JS, before anything is copied into wasm memory (which never shrinks): a
    // string's UTF-8 form is at least as long as its UTF-16 length, so `length` over the limit
    // is over for sure; at or under it the copy is at most 3x the limit and the core decides.
    const double limit = core_.config().limits.max_frame_bytes;
    const val size = data.isString() ? data["length"] : data["byteLength"];
    if (size.isNumber() && size.as<double>() > limit) {
      feed(input::FrameTooLarge{static_cast<std::size_t>(size.as<double>())});
      break;
    }
    std::string text;
    if (data.isString()) {
      text = data.as<std::string>();
    } else {
      // Text-only protocol; a binary frame is decoded so the core can judge (and reject) it.
      text = val::global("TextDecoder").new_().call<std::string>("decode", data);
    }
    feed(input::FrameReceived{std::move(text)});
    break;
  }
  case SocketEvent::close: {
    int code = event["code"].isNumber() ? event["code"].as<int>() : 1006;
    std::string reason = string_field(event, "reason").value_or("");
    bool was_open = socket_was_open_;
    detach(socket_, kSocketHandlers, std::size(kSocketHandlers));
    socket_ = val::undefined();
    ++socket_generation_;
    feed(input::SocketClosed{code, std::move(reason), was_open});
    break;
  }
  case SocketEvent::error:
    break; // a close event always follows and carries what the core needs
  }
}

// ---------------------------------------------------------------- HTTP

void Driver::http_request(const output::HttpRequest& request) {
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
    feed(input::HttpResponse{request.id, 0, {}});
    return;
  }
  int token = next_http_token_++;
  http_[token] = PendingHttp{request.id, 0};
  started.value.call<val>("then", bound_trampoline("_httpDone", handle_, token, 0, true),
                          bound_trampoline("_httpDone", handle_, token, 0, false));
}

void Driver::on_http(int token, int stage, bool ok, const val& result) {
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
    feed(input::HttpResponse{pending.request_id, pending.status, {}});
    return;
  }
  http_.erase(it);
  if (stage == 0) {
    feed(input::HttpResponse{pending.request_id, 0, {}}); // network error: status 0
  } else {
    std::string body = ok && result.isString() ? result.as<std::string>() : std::string();
    feed(input::HttpResponse{pending.request_id, pending.status, std::move(body)});
  }
}

void Driver::provide_token(const val& token, const std::string& error) {
  input::TokenProvided provided;
  if (token.isString())
    provided.token = token.as<std::string>();
  provided.error = error;
  feed(std::move(provided));
}

// ---------------------------------------------------------------- peer connections

Driver::PeerConnection* Driver::find_peer(const PeerId& peer) {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

void Driver::create_peer_connection(const output::CreatePeerConnection& create) {
  close_peer_connection(create.peer);
  val configuration = val::object();
  if (!is_nullish(ice_servers_))
    configuration.set("iceServers", ice_servers_);
  CallResult created = guarded_new(val::global("RTCPeerConnection"), js_args(configuration));
  if (!created.ok) {
    emit("error", [&] {
      val payload = error_value(errc::negotiation_failed, "RTCPeerConnection for " + create.peer +
                                                              ": " + created.error_text());
      payload.set("fatal", false);
      return payload;
    }());
    return;
  }
  PeerConnection connection;
  connection.generation = next_peer_generation_++;
  connection.pc = created.value;
  auto handler = [&](PeerEvent kind) {
    return bound_trampoline("_peerEvent", handle_, connection.generation, static_cast<int>(kind));
  };
  connection.pc.set("onnegotiationneeded", handler(PeerEvent::negotiation_needed));
  connection.pc.set("onicecandidate", handler(PeerEvent::ice_candidate));
  connection.pc.set("onsignalingstatechange", handler(PeerEvent::signaling_state));
  connection.pc.set("onconnectionstatechange", handler(PeerEvent::connection_state));
  connection.pc.set("ontrack", handler(PeerEvent::track));

  // Negotiated on both sides with the same id: data works without an extra offer/answer and
  // without waiting for an ondatachannel event (docs/ARCHITECTURE.md#negotiation).
  val channel_options = val::object();
  channel_options.set("negotiated", true);
  channel_options.set("id", 0);
  CallResult channel = guarded_call(connection.pc, "createDataChannel",
                                    js_args(std::string("data"), channel_options));
  if (channel.ok) {
    connection.channel = channel.value;
    connection.channel.set("binaryType", std::string("arraybuffer"));
    connection.channel.set("onopen", handler(PeerEvent::channel_open));
    connection.channel.set("onclose", handler(PeerEvent::channel_close));
    connection.channel.set("onmessage", handler(PeerEvent::channel_message));
  }
  peer_by_generation_[connection.generation] = create.peer;
  auto& stored = peers_[create.peer] = std::move(connection);
  apply_local_stream(stored);
}

void Driver::close_peer_connection(const PeerId& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end())
    return;
  PeerConnection& connection = it->second;
  detach(connection.channel, kChannelHandlers, std::size(kChannelHandlers));
  detach(connection.pc, kPeerHandlers, std::size(kPeerHandlers));
  if (!is_nullish(connection.channel))
    guarded_call(connection.channel, "close", val::array());
  guarded_call(connection.pc, "close", val::array());
  peer_by_generation_.erase(connection.generation);
  for (auto op = operations_.begin(); op != operations_.end();) {
    op = op->second.peer == peer ? operations_.erase(op) : std::next(op);
  }
  peers_.erase(it);
}

void Driver::on_peer(int generation, PeerEvent kind, const val& event) {
  auto id = peer_by_generation_.find(generation);
  if (id == peer_by_generation_.end())
    return;
  PeerId peer = id->second;
  PeerConnection* connection = find_peer(peer);
  if (!connection)
    return;
  switch (kind) {
  case PeerEvent::negotiation_needed:
    feed(input::NegotiationNeeded{peer});
    break;
  case PeerEvent::ice_candidate:
    feed(input::IceCandidate{peer, candidate_from_val(event["candidate"])});
    break;
  case PeerEvent::signaling_state: {
    auto text = string_field(connection->pc, "signalingState");
    auto state = text ? signaling_state_from_string(*text) : std::nullopt;
    if (state)
      feed(input::SignalingStateChanged{peer, *state});
    break;
  }
  case PeerEvent::connection_state: {
    auto text = string_field(connection->pc, "connectionState");
    auto state = text ? connection_state_from_string(*text) : std::nullopt;
    if (state)
      feed(input::ConnectionStateChanged{peer, *state});
    break;
  }
  case PeerEvent::track: {
    val payload = val::object();
    payload.set("id", peer);
    payload.set("track", event["track"]);
    payload.set("streams", is_nullish(event["streams"]) ? val::array() : event["streams"]);
    emit("track", payload);
    break;
  }
  case PeerEvent::channel_open:
  case PeerEvent::channel_close: {
    const bool open = kind == PeerEvent::channel_open;
    if (connection->channel_reported_open == open)
      break;
    connection->channel_reported_open = open;
    emit_channel_state(peer, open);
    break;
  }
  case PeerEvent::channel_message: {
    val payload = val::object();
    payload.set("id", peer);
    payload.set("data", event["data"]);
    emit("data", payload);
    break;
  }
  }
}

// ---------------------------------------------------------------- local media

void Driver::set_local_stream(const val& stream) {
  local_stream_ = is_nullish(stream) ? val::null() : stream;
  for (auto& [peer, connection] : peers_)
    apply_local_stream(connection);
}

// Reuses a sender of the same kind with replaceTrack (no renegotiation), adds tracks that have no
// sender, and removes senders left without a track (those two trigger negotiationneeded).
void Driver::apply_local_stream(PeerConnection& connection) {
  std::vector<val> tracks;
  if (!is_nullish(local_stream_)) {
    CallResult list = guarded_call(local_stream_, "getTracks", val::array());
    if (list.ok) {
      int length = list.value["length"].as<int>();
      for (int i = 0; i < length; ++i)
        tracks.push_back(list.value[i]);
    }
  }
  std::vector<bool> reused(connection.senders.size(), false);
  std::vector<val> senders;
  std::vector<std::string> kinds;
  for (val& track : tracks) {
    std::string kind = string_field(track, "kind").value_or("");
    bool replaced = false;
    for (std::size_t i = 0; i < connection.senders.size() && !replaced; ++i) {
      if (reused[i] || connection.sender_kinds[i] != kind)
        continue;
      reused[i] = true;
      replaced = true;
      val& sender = connection.senders[i];
      if (sender["track"].strictlyEquals(track)) {
        // Same track again: nothing to do.
      } else {
        CallResult r = guarded_call(sender, "replaceTrack", js_args(track));
        // A rejected replaceTrack must not become an unhandled rejection; token 0 is ignored.
        if (r.ok && is_thenable(r.value)) {
          r.value.call<val>("then", bound_trampoline("_opDone", handle_, 0, true),
                            bound_trampoline("_opDone", handle_, 0, false));
        }
      }
      senders.push_back(sender);
      kinds.push_back(kind);
    }
    if (replaced)
      continue;
    CallResult added = guarded_call(connection.pc, "addTrack", js_args(track, local_stream_));
    if (added.ok) {
      senders.push_back(added.value);
      kinds.push_back(kind);
    } else {
      val payload = error_value(errc::negotiation_failed, "addTrack: " + added.error_text());
      payload.set("fatal", false);
      emit("error", payload);
    }
  }
  for (std::size_t i = 0; i < connection.senders.size(); ++i) {
    if (!reused[i])
      guarded_call(connection.pc, "removeTrack", js_args(connection.senders[i]));
  }
  connection.senders = std::move(senders);
  connection.sender_kinds = std::move(kinds);
}

// ---------------------------------------------------------------- JSEP operations

void Driver::start_operation(PendingOp op) {
  if (!find_peer(op.peer)) {
    feed(input::OperationDone{op.peer, op.op_id, false, "no peer connection", std::nullopt});
    return;
  }
  int token = next_operation_token_++;
  operations_[token] = std::move(op);
  run_step(token, val::undefined());
}

// Offers and answers are two steps (create, then setLocalDescription) because createOffer is the
// only portable way to request an ICE restart; the core never issues another operation for this
// peer until the OperationDone, so nothing can interleave between the steps.
void Driver::run_step(int token, const val& previous) {
  PendingOp& op = operations_[token];
  PeerConnection* connection = find_peer(op.peer);
  if (!connection) {
    finish_operation(token, false, "no peer connection");
    return;
  }
  val& pc = connection->pc;
  switch (op.kind) {
  case OpKind::offer:
  case OpKind::answer:
    if (op.step == 0) {
      await_result(token,
                   guarded_call(pc, op.kind == OpKind::offer ? "createOffer" : "createAnswer",
                                op.kind == OpKind::offer ? js_args(op.argument) : val::array()));
    } else {
      // Kept to report on success: wrtc's pc.localDescription getter serializes the description
      // on the JS thread while its signaling thread may be adding gathered candidates (a crash
      // seen in SdpSerialize), and trickle ICE sends candidates separately anyway.
      op.argument = previous;
      await_result(token, guarded_call(pc, "setLocalDescription", js_args(previous)));
    }
    break;
  case OpKind::rollback: {
    val rollback = val::object();
    rollback.set("type", std::string("rollback"));
    await_result(token, guarded_call(pc, "setLocalDescription", js_args(rollback)));
    break;
  }
  case OpKind::remote:
    await_result(token, guarded_call(pc, "setRemoteDescription", js_args(op.argument)));
    break;
  case OpKind::candidate:
    await_result(token, guarded_call(pc, "addIceCandidate", js_args(op.argument)));
    break;
  case OpKind::end_of_candidates:
    if (op.step == 0) {
      // Standard end-of-candidates; older implementations (node-webrtc) reject the empty call,
      // so step 1 retries with the legacy empty-candidate form.
      await_result(token, guarded_call(pc, "addIceCandidate", val::array()));
    } else {
      val end = val::object();
      end.set("candidate", std::string());
      await_result(token, guarded_call(pc, "addIceCandidate", js_args(end)));
    }
    break;
  }
}

void Driver::await_result(int token, const CallResult& result) {
  if (!result.ok) {
    on_operation(token, false, result.value);
    return;
  }
  if (!is_thenable(result.value)) {
    on_operation(token, true, result.value);
    return;
  }
  result.value.call<val>("then", bound_trampoline("_opDone", handle_, token, true),
                         bound_trampoline("_opDone", handle_, token, false));
}

void Driver::on_operation(int token, bool ok, const val& result) {
  auto it = operations_.find(token);
  if (it == operations_.end())
    return;
  PendingOp& op = it->second;
  if (!ok) {
    if (op.kind == OpKind::end_of_candidates && op.step == 0) {
      op.step = 1;
      run_step(token, val::undefined());
      return;
    }
    finish_operation(token, false, CallResult{false, result}.error_text());
    return;
  }
  if ((op.kind == OpKind::offer || op.kind == OpKind::answer) && op.step == 0) {
    op.step = 1;
    run_step(token, result);
    return;
  }
  finish_operation(token, true, {});
}

void Driver::finish_operation(int token, bool ok, const std::string& error) {
  auto it = operations_.find(token);
  if (it == operations_.end())
    return;
  PendingOp op = std::move(it->second);
  operations_.erase(it);
  input::OperationDone done{op.peer, op.op_id, ok, error, std::nullopt};
  // The description just applied (see run_step); a rollback reports none.
  if (ok && (op.kind == OpKind::offer || op.kind == OpKind::answer))
    done.local_description = description_from_val(op.argument);
  feed(std::move(done));
}

// ---------------------------------------------------------------- app requests and getters

val Driver::send(const std::string& peer, const val& data) {
  PeerConnection* connection = find_peer(peer);
  if (!connection) {
    if (core_.peers().count(peer) == 0) {
      return error_value("unknown-peer", "no peer '" + peer + "' in the room");
    }
    return error_value("channel-closed", "no connection to peer '" + peer + "' yet");
  }
  if (is_nullish(connection->channel) ||
      string_field(connection->channel, "readyState").value_or("") != "open") {
    return error_value("channel-closed", "the data channel to '" + peer + "' is not open");
  }
  CallResult sent = guarded_call(connection->channel, "send", js_args(data));
  if (!sent.ok)
    return error_value("channel-closed", sent.error_text());
  return val::null();
}

int Driver::broadcast(const val& data) {
  int count = 0;
  for (auto& [peer, connection] : peers_) {
    if (send(peer, data).isNull())
      ++count;
  }
  return count;
}

val Driver::restart_ice(const std::string& peer) {
  if (core_.peers().count(peer) == 0) {
    return error_value("unknown-peer", "no peer '" + peer + "' in the room");
  }
  feed(input::RestartIce{peer});
  return val::null();
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
  out.set("reconnects", static_cast<double>(s.reconnects));
  return out;
}

} // namespace rtc_signaling::wasm

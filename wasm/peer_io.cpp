#include "peer_io.hpp"

#include <utility>

#include "registry.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling::wasm {

using emscripten::val;

namespace {
constexpr const char* kPeerHandlers[] = {"onnegotiationneeded", "onicecandidate",
                                         "onsignalingstatechange", "onconnectionstatechange",
                                         "ontrack"};
constexpr const char* kChannelHandlers[] = {"onopen", "onclose", "onmessage"};
} // namespace

PeerIo::PeerIo(int handle, Port& port, val configuration)
    : handle_(handle), port_(port), configuration_(std::move(configuration)) {}

void PeerIo::teardown() {
  while (!peers_.empty())
    release(peers_.begin()->first);
  operations_.clear();
  local_stream_ = val::null();
  configuration_ = val::undefined();
}

void PeerIo::emit_channel_state(const PeerId& peer, bool open) {
  val payload = val::object();
  payload.set("id", peer);
  payload.set("state", std::string(open ? "open" : "closed"));
  port_.emit("channel", payload);
}

void PeerIo::close(const PeerId& peer) {
  Connection* connection = find(peer);
  if (!connection)
    return;
  const bool channel_was_open = connection->channel_reported_open;
  release(peer);
  // pc.close() fires no connectionstatechange (by spec), and the channel's close event may still
  // be queued when its handlers are dropped, so both endings are reported here; the app
  // otherwise never learns them.
  if (channel_was_open)
    emit_channel_state(peer, false);
  val payload = val::object();
  payload.set("id", peer);
  payload.set("state", std::string("closed"));
  port_.emit("peer-state", payload);
}

void PeerIo::set_local_description(const output::SetLocalDescription& o) {
  OpKind kind = o.type == "offer"    ? OpKind::offer
                : o.type == "answer" ? OpKind::answer
                                     : OpKind::rollback;
  val argument = val::object();
  if (kind == OpKind::offer)
    argument.set("iceRestart", o.ice_restart);
  start_operation(PendingOp{o.peer, o.op_id, kind, 0, argument});
}

void PeerIo::set_remote_description(const output::SetRemoteDescription& o) {
  start_operation(PendingOp{o.peer, o.op_id, OpKind::remote, 0, to_val(o.description)});
}

void PeerIo::add_ice_candidate(const output::AddIceCandidate& o) {
  if (o.candidate) {
    start_operation(PendingOp{o.peer, o.op_id, OpKind::candidate, 0, to_val(*o.candidate)});
  } else {
    start_operation(PendingOp{o.peer, o.op_id, OpKind::end_of_candidates, 0, val::undefined()});
  }
}

// ---------------------------------------------------------------- in-band signaling

void PeerIo::open_signal_channel(const PeerId& peer) {
  Connection* connection = find(peer);
  if (!connection || !is_nullish(connection->signal_channel))
    return;
  // Negotiated like the data channel: both ends create it once each knows the other can, and
  // no offer/answer is needed (the SCTP association exists already).
  val options = val::object();
  options.set("negotiated", true);
  options.set("id", 1);
  CallResult created = guarded_call(connection->pc, "createDataChannel",
                                    js_args(std::string("signaling"), options));
  if (!created.ok)
    return; // stays on the server route
  connection->signal_channel = created.value;
  auto handler = [&](PeerEvent kind) {
    return bound_trampoline("_peerEvent", handle_, connection->generation, static_cast<int>(kind));
  };
  connection->signal_channel.set("onopen", handler(PeerEvent::signal_open));
  connection->signal_channel.set("onclose", handler(PeerEvent::signal_close));
  connection->signal_channel.set("onmessage", handler(PeerEvent::signal_message));
  if (string_field(connection->signal_channel, "readyState").value_or("") == "open")
    port_.feed(input::SignalChannelChanged{peer, true});
}

void PeerIo::send_on_signal_channel(const output::SendOnSignalChannel& o) {
  Connection* connection = find(o.peer);
  if (!connection || is_nullish(connection->signal_channel))
    return;
  CallResult sent = guarded_call(connection->signal_channel, "send", js_args(o.text));
  if (!sent.ok) // closing underneath us: the close event moves the route back to the server
    port_.feed(input::SignalChannelChanged{o.peer, false});
}

// ---------------------------------------------------------------- peer connections

PeerIo::Connection* PeerIo::find(const PeerId& peer) {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

void PeerIo::create(const output::CreatePeerConnection& create) {
  release(create.peer);
  val configuration = val::object();
  if (!is_nullish(configuration_))
    configuration = val::global("Object").call<val>("assign", configuration, configuration_);
  CallResult created = guarded_new(val::global("RTCPeerConnection"), js_args(configuration));
  if (!created.ok) {
    port_.emit("error", [&] {
      val payload = error_value(errc::negotiation_failed, "RTCPeerConnection for " + create.peer +
                                                              ": " + created.error_text());
      payload.set("fatal", false);
      return payload;
    }());
    return;
  }
  Connection connection;
  connection.generation = next_generation_++;
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

void PeerIo::release(const PeerId& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end())
    return;
  Connection& connection = it->second;
  detach(connection.channel, kChannelHandlers, std::size(kChannelHandlers));
  detach(connection.signal_channel, kChannelHandlers, std::size(kChannelHandlers));
  detach(connection.pc, kPeerHandlers, std::size(kPeerHandlers));
  if (!is_nullish(connection.channel))
    guarded_call(connection.channel, "close", val::array());
  if (!is_nullish(connection.signal_channel))
    guarded_call(connection.signal_channel, "close", val::array());
  guarded_call(connection.pc, "close", val::array());
  peer_by_generation_.erase(connection.generation);
  for (auto op = operations_.begin(); op != operations_.end();) {
    op = op->second.peer == peer ? operations_.erase(op) : std::next(op);
  }
  peers_.erase(it);
}

void PeerIo::on_peer(int generation, PeerEvent kind, const val& event) {
  auto id = peer_by_generation_.find(generation);
  if (id == peer_by_generation_.end())
    return;
  PeerId peer = id->second;
  Connection* connection = find(peer);
  if (!connection)
    return;
  switch (kind) {
  case PeerEvent::negotiation_needed:
    port_.feed(input::NegotiationNeeded{peer});
    break;
  case PeerEvent::ice_candidate:
    port_.feed(input::IceCandidate{peer, candidate_from_val(event["candidate"])});
    break;
  case PeerEvent::signaling_state: {
    auto text = string_field(connection->pc, "signalingState");
    auto state = text ? signaling_state_from_string(*text) : std::nullopt;
    if (state)
      port_.feed(input::SignalingStateChanged{peer, *state});
    break;
  }
  case PeerEvent::connection_state: {
    auto text = string_field(connection->pc, "connectionState");
    auto state = text ? connection_state_from_string(*text) : std::nullopt;
    if (state)
      port_.feed(input::ConnectionStateChanged{peer, *state});
    break;
  }
  case PeerEvent::track: {
    val payload = val::object();
    payload.set("id", peer);
    payload.set("track", event["track"]);
    payload.set("streams", is_nullish(event["streams"]) ? val::array() : event["streams"]);
    port_.emit("track", payload);
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
  case PeerEvent::signal_open:
  case PeerEvent::signal_close:
    port_.feed(input::SignalChannelChanged{peer, kind == PeerEvent::signal_open});
    break;
  case PeerEvent::signal_message: {
    val data = event["data"];
    if (data.isString())
      port_.feed(input::SignalChannelMessage{peer, data.as<std::string>()});
    break;
  }
  case PeerEvent::channel_message: {
    val payload = val::object();
    payload.set("id", peer);
    payload.set("data", event["data"]);
    port_.emit("data", payload);
    break;
  }
  }
}

// ---------------------------------------------------------------- local media

void PeerIo::set_local_stream(const val& stream) {
  local_stream_ = is_nullish(stream) ? val::null() : stream;
  for (auto& [peer, connection] : peers_)
    apply_local_stream(connection);
}

// Reuses a sender of the same kind with replaceTrack (no renegotiation), adds tracks that have no
// sender, and removes senders left without a track (those two trigger negotiationneeded).
void PeerIo::apply_local_stream(Connection& connection) {
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
      port_.emit("error", payload);
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

void PeerIo::start_operation(PendingOp op) {
  if (!find(op.peer)) {
    port_.feed(input::OperationDone{op.peer, op.op_id, false, "no peer connection", std::nullopt});
    return;
  }
  int token = next_operation_token_++;
  operations_[token] = std::move(op);
  run_step(token, val::undefined());
}

// Offers and answers are two steps (create, then setLocalDescription) because createOffer is the
// only portable way to request an ICE restart; the core never issues another operation for this
// peer until the OperationDone, so nothing can interleave between the steps.
void PeerIo::run_step(int token, const val& previous) {
  PendingOp& op = operations_[token];
  Connection* connection = find(op.peer);
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

void PeerIo::await_result(int token, const CallResult& result) {
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

void PeerIo::on_operation(int token, bool ok, const val& result) {
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

void PeerIo::finish_operation(int token, bool ok, const std::string& error) {
  auto it = operations_.find(token);
  if (it == operations_.end())
    return;
  PendingOp op = std::move(it->second);
  operations_.erase(it);
  input::OperationDone done{op.peer, op.op_id, ok, error, std::nullopt};
  // The description just applied (see run_step); a rollback reports none.
  if (ok && (op.kind == OpKind::offer || op.kind == OpKind::answer))
    done.local_description = description_from_val(op.argument);
  port_.feed(std::move(done));
}

// ---------------------------------------------------------------- app requests

val PeerIo::stats(const PeerId& peer) {
  Connection* connection = find(peer);
  if (!connection)
    return val::null();
  CallResult result = guarded_call(connection->pc, "getStats", js_args());
  return result.ok ? result.value : val::null();
}

val PeerIo::send(const PeerId& peer, const val& data, bool in_room) {
  Connection* connection = find(peer);
  if (!connection) {
    if (!in_room) {
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

int PeerIo::broadcast(const val& data) {
  int count = 0;
  for (auto& [peer, connection] : peers_) {
    if (send(peer, data, true).isNull())
      ++count;
  }
  return count;
}

} // namespace rtc_signaling::wasm

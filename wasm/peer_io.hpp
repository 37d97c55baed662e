// The driver's peer side: one RTCPeerConnection per remote peer with its negotiated data channel
// and its media senders, and the JSEP operations the core issues on them (one at a time per
// peer; offers and answers in two steps). It executes and reports through the Port; it decides
// nothing.
//
// Each connection gets a generation and each operation a token, bound into its callbacks, so a
// late event from a connection already closed, or a settlement of a dropped operation, is ignored.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "guarded_call.hpp"
#include "port.hpp"
#include "rtc_signaling/output.hpp"

namespace rtc_signaling::wasm {

enum class PeerEvent : int {
  negotiation_needed = 0,
  ice_candidate = 1,
  signaling_state = 2,
  connection_state = 3,
  track = 4,
  channel_open = 5,
  channel_close = 6,
  channel_message = 7,
  signal_open = 8,
  signal_close = 9,
  signal_message = 10,
};

class PeerIo {
public:
  /// `configuration`: the RTCConfiguration every connection is created with (a copy each time).
  PeerIo(int handle, Port& port, emscripten::val configuration);

  void teardown();

  // ---- outputs
  void create(const output::CreatePeerConnection& create);
  /// ClosePeerConnection: closes it and reports the channel and the connection closed.
  void close(const PeerId& peer);
  void set_local_description(const output::SetLocalDescription& o);
  void set_remote_description(const output::SetRemoteDescription& o);
  void add_ice_candidate(const output::AddIceCandidate& o);
  /// OpenSignalChannel: the negotiated in-band signaling channel (id 1, "signaling").
  void open_signal_channel(const PeerId& peer);
  void send_on_signal_channel(const output::SendOnSignalChannel& o);

  // ---- app requests; each returns null on success or {code, message}
  /// `in_room`: the core lists this peer (no connection yet is then a closed channel).
  emscripten::val send(const PeerId& peer, const emscripten::val& data, bool in_room);
  /// Sends to every peer whose channel is open; returns how many.
  int broadcast(const emscripten::val& data);
  void set_local_stream(const emscripten::val& stream);
  /// pc.getStats() of the peer's connection (a promise), or null when there is none.
  emscripten::val stats(const PeerId& peer);

  // ---- browser callbacks
  void on_peer(int generation, PeerEvent kind, const emscripten::val& event);
  void on_operation(int token, bool ok, const emscripten::val& result);

private:
  struct Connection {
    int generation = 0;
    emscripten::val pc = emscripten::val::undefined();
    emscripten::val channel = emscripten::val::undefined();
    /// In-band signaling (docs/ARCHITECTURE.md#in-band-signaling); undefined until asked for.
    emscripten::val signal_channel = emscripten::val::undefined();
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

  Connection* find(const PeerId& peer);
  void release(const PeerId& peer);
  void emit_channel_state(const PeerId& peer, bool open);
  void apply_local_stream(Connection& connection);
  void start_operation(PendingOp op);
  void run_step(int token, const emscripten::val& previous);
  void await_result(int token, const CallResult& result);
  void finish_operation(int token, bool ok, const std::string& error);

  int handle_;
  Port& port_;
  emscripten::val configuration_;
  emscripten::val local_stream_ = emscripten::val::null();
  std::map<PeerId, Connection> peers_;
  std::map<int, PeerId> peer_by_generation_;
  int next_generation_ = 1;
  std::map<int, PendingOp> operations_;
  int next_operation_token_ = 1; ///< 0 is reserved for "ignore the settlement"
};

} // namespace rtc_signaling::wasm

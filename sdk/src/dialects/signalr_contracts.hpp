// Hub contracts of the signalr dialect: which hub methods mean join, signal and leave, and how
// signals are shaped. Pure translations between session messages and invocations; the connection
// state machine in signalr.cpp decides when they are sent.
//
//   room (default)  Join(room, name) / Signal(toId, payloadJson) / Leave()
//                   <- Welcome(selfId, peers[]) PeerJoined(peer) Signal(fromId, payloadJson)
//                      PeerLeft(id); payloads are the canonical JSON (docs/ARCHITECTURE.md#dialects).
//   signalrtc       NewUser(userName) / HelloUser(userName, toId) / SendSignal(signalJson, toId)
//                   <- NewUserArrived(json) UserSaidHello(json) SendSignal(fromId, signalJson)
//                      UserDisconnect(id); simple-peer signal shapes. The hub never tells a client
//                   its own id; negotiate's connectionId is it (without negotiate it is "self"
//                   and roles follow who calls whom). Whoever receives UserSaidHello (the
//                   newcomer) calls and offers.
//   ekobit          CreateOrJoinRoom(room) / SendMessage(message, room) / LeaveRoom(room)
//   (alias codelab) <- created() joined() message(message) log(text); the Ekobit article's hub:
//                   two members, the Google codelab message shapes. joined() goes to the whole
//                   group, the newcomer included, and the hub never forgets a member, so a
//                   newcomer is never sure anyone is there: whoever was in the room calls it.
//   snaprtc         Sync(session, ready) / SignalCapture(session, payload) (initiator) /
//                   SignalInitiator(session, payload) (capture) <- signalStart()
//                   signalCapture(payload) signalInitiator(payload), all to the whole group, the
//                   sender included; payloads are lz-string compressed simple-peer signals,
//                   never trickled: a description goes out once gathering ends, candidates in it.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "dialects/canonical.hpp"
#include "dialects/signalr_protocol.hpp"
#include "messages.hpp"
#include "rtc_signaling/config.hpp"

namespace rtc_signaling::dialects::signalr {

/// An invocation to send. Every call carries an invocationId so hub errors come back.
struct Call {
  std::string target;
  json arguments = json::array();
  bool join = false; ///< its failure means we are not in the room (fatal `forbidden`)
  friend bool operator==(const Call&, const Call&) = default;
};

struct Translated {
  std::vector<msg::Decoded<msg::ServerMessage>> messages;
  std::vector<Call> calls;
};

class Contract {
public:
  explicit Contract(const Config& config);
  virtual ~Contract() = default;

  virtual const char* name() const noexcept = 0;
  /// The handshake of a fresh connection succeeded: join. `connection_id` is the hub's
  /// Context.ConnectionId from negotiate (absent with skipNegotiation).
  virtual Translated join(const msg::Join& join,
                          const std::optional<PeerId>& connection_id) const = 0;
  /// SignalTo and Leave (Ping and acks are the connection's business). Stateless: also what
  /// the session measures a signal's frame with.
  virtual std::vector<Call> calls(const msg::ClientMessage& m) const = 0;
  /// What actually goes out on the connection. Contracts that hold signals back (snaprtc, which
  /// does not trickle) override it; the others send what calls() says.
  virtual std::vector<Call> send(const msg::ClientMessage& m) { return calls(m); }
  /// An invocation from the hub. `self_id` is our id once this hub connection has joined the
  /// room, empty before (ekobit tells its welcome from a newcomer's arrival by it).
  virtual Translated on_invocation(const std::string& target, const json& arguments,
                                   const PeerId& self_id) const = 0;

protected:
  /// The hub's name for a contract method, after the app's renames.
  std::string method(const char* canonical) const;
  /// SignalR clients match incoming targets case-insensitively; so do we.
  bool is(const std::string& target, const char* canonical) const;

  Config config_;
};

std::unique_ptr<Contract> make_contract(const Config& config);

// Signal shapes, exposed for tests. Decoders validate with the §3.4 limits.
using dialects::decode_canonical;

/// simple-peer's signal objects; nullopt = nothing to send (simple-peer has no end-of-candidates).
std::optional<json> encode_simplepeer(const SignalPayload& p);
/// monostate = a simple-peer signal we do not act on (renegotiate, transceiverRequest).
std::variant<SignalPayload, std::monostate, std::string> decode_simplepeer(const json& j,
                                                                         const Limits& limits);

std::optional<json> encode_ekobit(const SignalPayload& p);

/// `sdp` with `candidates` added to the media sections they name (by sdpMLineIndex, else by
/// a=mid), followed by a=end-of-candidates: what a browser's localDescription looks like once
/// gathering is complete. Candidates already present are not repeated.
std::string sdp_with_candidates(const std::string& sdp, const std::vector<Candidate>& candidates);

} // namespace rtc_signaling::dialects::signalr

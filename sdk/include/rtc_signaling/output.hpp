// Everything the core asks the embedder to do (commands) or tell the app (events).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "rtc_signaling/types.hpp"

namespace rtc_signaling {

namespace output {
// ---- Commands: the embedder executes them literally.
struct OpenSocket { std::string url; };
struct SendFrame { std::string text; };
struct CloseSocket { int code = 1000; std::string reason; };
/// An HTTP request (endpoint probe, later SignalR negotiate). Answer with input::HttpResponse.
struct HttpRequest {
  std::uint32_t id = 0;
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};
/// Ask the app's token provider for a fresh token; answer with input::TokenProvided.
struct RequestToken {};

struct CreatePeerConnection { PeerId peer; bool polite = false; };
struct ClosePeerConnection { PeerId peer; };
/// type: "offer" | "answer" | "rollback". ice_restart applies to offers.
/// Answer with input::OperationDone carrying pc.localDescription.
struct SetLocalDescription { PeerId peer; std::uint64_t op_id = 0; std::string type; bool ice_restart = false; };
struct SetRemoteDescription { PeerId peer; std::uint64_t op_id = 0; Description description; };
/// nullopt candidate = end of candidates (addIceCandidate() with no argument / null).
struct AddIceCandidate { PeerId peer; std::uint64_t op_id = 0; std::optional<Candidate> candidate; };
/// Create the in-band signaling channel on the peer's connection: a data channel labelled
/// "signaling", negotiated, id 1 (docs/ARCHITECTURE.md#in-band-signaling). Report it with
/// input::SignalChannelChanged and input::SignalChannelMessage; it closes with the connection.
struct OpenSignalChannel { PeerId peer; };
/// Send this text on the peer's in-band signaling channel.
struct SendOnSignalChannel { PeerId peer; std::string text; };

// ---- App events.
struct StateChanged { SessionState state; };
struct Joined { PeerId self_id; std::string room; bool resumed = false; };
struct PeerJoined { PeerId id; std::string name; };
struct PeerLeft { PeerId id; std::string reason; };  ///< "left" | "timeout" | "gone"
struct PeerStateChanged { PeerId id; ConnectionState state; };
struct Reconnecting { std::uint32_t attempt = 0; std::uint32_t delay_ms = 0; };
struct Error { std::string code; std::string message; bool fatal = false; };
/// The answer to input::InvokeHub: `code` empty and `result` the hub's result as JSON ("null"
/// for none), or `code` hub-error (the hub's error text), not-open, unsupported-dialect,
/// invalid-data or message-too-large and a message.
struct HubResult { std::uint32_t id = 0; std::string code; std::string message; std::string result = "null"; };
}  // namespace output

using Output = std::variant<output::OpenSocket, output::SendFrame, output::CloseSocket,
                            output::HttpRequest, output::RequestToken,
                            output::CreatePeerConnection, output::ClosePeerConnection,
                            output::SetLocalDescription, output::SetRemoteDescription,
                            output::AddIceCandidate, output::OpenSignalChannel,
                            output::SendOnSignalChannel, output::StateChanged, output::Joined,
                            output::PeerJoined, output::PeerLeft, output::PeerStateChanged,
                            output::Reconnecting, output::Error, output::HubResult>;

}  // namespace rtc_signaling

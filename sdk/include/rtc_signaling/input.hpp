// Everything the embedder feeds into the core. One variant: the embind boundary stays small.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "rtc_signaling/types.hpp"

namespace rtc_signaling {

namespace input {
// App requests.
struct Join {};    ///< start: open the socket and join config.room
struct Leave {};   ///< graceful leave; the session ends `closed` without an error
struct RestartIce { PeerId peer; };  ///< app asks for an ICE restart towards one peer
/// The app invokes a hub method (signalr): `arguments` is a JSON array. Answered by one
/// output::HubResult with the same id.
struct InvokeHub { std::uint32_t id = 0; std::string method; std::string arguments = "[]"; };

// Signaling socket events.
struct SocketOpened {};
struct FrameReceived { std::string text; };
/// A frame the embedder measured as larger than Limits::max_frame_bytes and did not copy in
/// (the browser layer checks the size before the text enters wasm memory).
struct FrameTooLarge { std::size_t bytes = 0; };
/// The socket closed or failed. `was_open` is false when it never reached `open`
/// (the core then probes the endpoint over HTTP to tell 401/403 from "unreachable").
struct SocketClosed { int code = 1006; std::string reason; bool was_open = false; };
/// Completion of an HttpRequest output. status 0 = network failure.
struct HttpResponse { std::uint32_t request_id = 0; int status = 0; std::string body; };
/// Result of RequestToken. nullopt token + error text = the provider failed.
struct TokenProvided { std::optional<std::string> token; std::string error; };
struct NetworkOnline {};
struct NetworkOffline {};

// Peer connection events (docs/ARCHITECTURE.md#negotiation).
struct NegotiationNeeded { PeerId peer; };
/// A local ICE candidate; nullopt = end of candidates.
struct IceCandidate { PeerId peer; std::optional<Candidate> candidate; };
struct SignalingStateChanged { PeerId peer; SignalingState state; };
struct ConnectionStateChanged { PeerId peer; ConnectionState state; };
/// Completion of SetLocalDescription / SetRemoteDescription / AddIceCandidate.
/// For SetLocalDescription, local_description is pc.localDescription after success.
struct OperationDone {
  PeerId peer;
  std::uint64_t op_id = 0;
  bool ok = true;
  std::string error;
  std::optional<Description> local_description;
};

// The in-band signaling channel of one peer connection (docs/ARCHITECTURE.md#in-band-signaling),
// created on output::OpenSignalChannel.
struct SignalChannelChanged { PeerId peer; bool open = false; };
struct SignalChannelMessage { PeerId peer; std::string text; };
}  // namespace input

using Input = std::variant<input::Join, input::Leave, input::RestartIce, input::InvokeHub,
                           input::SocketOpened,
                           input::FrameReceived, input::FrameTooLarge, input::SocketClosed,
                           input::HttpResponse,
                           input::TokenProvided, input::NetworkOnline, input::NetworkOffline,
                           input::NegotiationNeeded, input::IceCandidate,
                           input::SignalingStateChanged, input::ConnectionStateChanged,
                           input::OperationDone, input::SignalChannelChanged,
                           input::SignalChannelMessage>;

}  // namespace rtc_signaling

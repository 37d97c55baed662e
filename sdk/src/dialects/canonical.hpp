// The canonical signal payload JSON of docs/ARCHITECTURE.md#dialects, shared by every dialect that carries it
// verbatim (native `data`, the SignalR room contract's payloadJson).
#pragma once

#include <nlohmann/json.hpp>

#include "rtc_signaling/types.hpp"

namespace rtc_signaling::dialects {

/// {"description":{type,sdp}} | {"candidate":{candidate,sdpMid,sdpMLineIndex,usernameFragment}}
/// | {"candidate":null} (end of candidates).
nlohmann::json encode_canonical(const SignalPayload& payload);

} // namespace rtc_signaling::dialects

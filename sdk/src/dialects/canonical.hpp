// The canonical signal payload JSON of docs/ARCHITECTURE.md#dialects, shared by every dialect that carries it
// verbatim (native `data`, the SignalR room contract's payloadJson).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "rtc_signaling/config.hpp"
#include "rtc_signaling/types.hpp"

namespace rtc_signaling::dialects {

/// {"description":{type,sdp}} | {"candidate":{candidate,sdpMid,sdpMLineIndex,usernameFragment}}
/// | {"candidate":null} (end of candidates).
nlohmann::json encode_canonical(const SignalPayload& payload);
/// The validation limits' final check on any decoded payload.
std::variant<SignalPayload, std::string> checked(SignalPayload p, const Limits& limits);
/// The reverse of encode_canonical, validated against `limits` (validation::check_payload); why not, otherwise.
std::variant<SignalPayload, std::string> decode_canonical(const nlohmann::json& j,
                                                          const Limits& limits);

} // namespace rtc_signaling::dialects

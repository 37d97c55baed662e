// The first checks of a dialect whose every frame is one JSON object (relay, dyson): size, depth,
// strict parse, object. What follows is the dialect's own schema.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "messages.hpp"
#include "rtc_signaling/config.hpp"

namespace rtc_signaling::dialects {

/// The frame as a JSON object, or the DecodeError (`message-too-large`, or `bad-message` whose
/// message starts with `what`, e.g. "relay frame").
std::variant<nlohmann::json, msg::DecodeError> json_object_frame(std::string_view text,
                                                                 const Limits& limits,
                                                                 const char* what);

} // namespace rtc_signaling::dialects

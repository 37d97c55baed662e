#include "dialects/frame_json.hpp"

#include "dialects/json_text.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects {

std::variant<nlohmann::json, msg::DecodeError> json_object_frame(std::string_view text,
                                                                 const Limits& limits,
                                                                 const char* what) {
  if (text.size() > limits.max_frame_bytes)
    return msg::DecodeError{errc::message_too_large,
                            "frame of " + std::to_string(text.size()) + " bytes exceeds " +
                                std::to_string(limits.max_frame_bytes)};
  if (!validation::json_depth_within(text, limits.max_json_depth))
    return msg::DecodeError{errc::bad_message, std::string(what) + ": JSON nested deeper than " +
                                                   std::to_string(limits.max_json_depth)};
  auto j = parse_json_text(text);
  if (!j || !j->is_object())
    return msg::DecodeError{errc::bad_message, std::string(what) + ": not a JSON object"};
  return std::move(*j);
}

} // namespace rtc_signaling::dialects

// Strict parsing of one JSON text from the network, and the text of what goes out, shared by
// every dialect.
//
// nlohmann's iterator input ends at a NUL byte, so `{"type":"ack","seq":7}\0<anything>` would
// parse as the part before the NUL and the rest would be ignored. A raw NUL can never occur in
// valid JSON (inside strings it must be escaped, outside them only whitespace is allowed), so a
// text holding one is refused before the parser sees it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace rtc_signaling::dialects {

/// The parsed value, or nullopt for anything that is not exactly one JSON value (trailing bytes,
/// a NUL byte anywhere, invalid UTF-8). Never throws.
inline std::optional<nlohmann::json> parse_json_text(std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded())
    return std::nullopt;
  return j;
}

/// Compact text of a value. nlohmann's dump() throws on invalid UTF-8 by default and the wasm
/// build has no exceptions, so invalid bytes become U+FFFD instead.
inline std::string dump_json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace rtc_signaling::dialects

// Endpoint URLs: the socket URL with its query parameters, and the HTTP probe URL for the same
// endpoint (browsers hide the status of a refused upgrade, so 401/403 are learned by a plain GET).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rtc_signaling::url {

/// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view text);

/// Appends `key=value` pairs (values percent-encoded) with ? or & as the URL requires.
std::string with_query(std::string_view base,
                       const std::vector<std::pair<std::string, std::string>>& params);

/// ws:// -> http://, wss:// -> https://; anything else unchanged.
std::string to_http(std::string_view ws_url);

/// True for ws:// and wss:// URLs with a host.
bool is_websocket_url(std::string_view url);

} // namespace rtc_signaling::url

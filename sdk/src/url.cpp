#include "url.hpp"

namespace rtc_signaling::url {

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string with_query(std::string_view base,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out(base);
  // A fragment must stay last; signaling URLs never need one, so it is dropped.
  if (auto hash = out.find('#'); hash != std::string::npos)
    out.erase(hash);
  char sep = out.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : params) {
    out.push_back(sep);
    out += percent_encode(key);
    out.push_back('=');
    out += percent_encode(value);
    sep = '&';
  }
  return out;
}

std::string to_http(std::string_view ws_url) {
  if (ws_url.rfind("wss://", 0) == 0)
    return "https://" + std::string(ws_url.substr(6));
  if (ws_url.rfind("ws://", 0) == 0)
    return "http://" + std::string(ws_url.substr(5));
  return std::string(ws_url);
}

bool is_websocket_url(std::string_view u) {
  std::string_view rest;
  if (u.rfind("wss://", 0) == 0) {
    rest = u.substr(6);
  } else if (u.rfind("ws://", 0) == 0) {
    rest = u.substr(5);
  } else {
    return false;
  }
  return !rest.empty() && rest.front() != '/' && rest.front() != '?';
}

} // namespace rtc_signaling::url

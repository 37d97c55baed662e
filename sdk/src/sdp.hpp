// What the core reads from an SDP: only the ICE credentials (a change of ufrag is an ICE restart).
#pragma once

#include <string>

namespace rtc_signaling {

/// The first a=ice-ufrag value at the start of a line, or "" when there is none.
inline std::string ice_ufrag(const std::string& sdp) {
  static constexpr char key[] = "a=ice-ufrag:";
  std::size_t at = sdp.find(key);
  while (at != std::string::npos && at != 0 && sdp[at - 1] != '\n') at = sdp.find(key, at + 1);
  if (at == std::string::npos) return "";
  const std::size_t begin = at + sizeof(key) - 1;
  const std::size_t end = sdp.find_first_of("\r\n", begin);
  return sdp.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

} // namespace rtc_signaling

#include "rtc_signaling/describe.hpp"

#include <type_traits>

namespace rtc_signaling {
namespace {

/// The URL without its query and fragment: tokens travel as query parameters.
std::string without_query(const std::string& url) {
  return url.substr(0, url.find_first_of("?#"));
}

std::string bytes(std::size_t n) {
  return std::to_string(n) + " bytes";
}

} // namespace

std::optional<std::string> describe(const Output& output) {
  return std::visit(
      [](const auto& o) -> std::optional<std::string> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, output::OpenSocket>) {
          return "open socket " + without_query(o.url);
        } else if constexpr (std::is_same_v<T, output::SendFrame>) {
          return "send frame, " + bytes(o.text.size());
        } else if constexpr (std::is_same_v<T, output::CloseSocket>) {
          return "close socket " + std::to_string(o.code) + (o.reason.empty() ? "" : " (" + o.reason + ")");
        } else if constexpr (std::is_same_v<T, output::HttpRequest>) {
          return "http " + o.method + " " + without_query(o.url);
        } else if constexpr (std::is_same_v<T, output::RequestToken>) {
          return std::string("ask the token provider");
        } else if constexpr (std::is_same_v<T, output::CreatePeerConnection>) {
          return "create peer connection to " + o.peer + (o.polite ? " (polite)" : " (impolite)");
        } else if constexpr (std::is_same_v<T, output::ClosePeerConnection>) {
          return "close peer connection to " + o.peer;
        } else if constexpr (std::is_same_v<T, output::SetLocalDescription>) {
          return o.peer + ": set local description (" + o.type + (o.ice_restart ? ", ICE restart" : "") + ")";
        } else if constexpr (std::is_same_v<T, output::SetRemoteDescription>) {
          return o.peer + ": set remote description (" + o.description.type + ", " +
                 bytes(o.description.sdp.size()) + ")";
        } else if constexpr (std::is_same_v<T, output::AddIceCandidate>) {
          if (!o.candidate)
            return o.peer + ": end of remote candidates";
          return o.peer + ": add remote candidate" +
                 (o.candidate->sdp_mid ? " (mid " + *o.candidate->sdp_mid + ")" : std::string());
        } else if constexpr (std::is_same_v<T, output::OpenSignalChannel>) {
          return o.peer + ": open the in-band signaling channel";
        } else if constexpr (std::is_same_v<T, output::SendOnSignalChannel>) {
          return o.peer + ": send in-band signal, " + bytes(o.text.size());
        } else {
          return std::nullopt;
        }
      },
      output);
}

} // namespace rtc_signaling

#include "dialects/canonical.hpp"

#include <utility>

namespace rtc_signaling::dialects {

nlohmann::json encode_canonical(const SignalPayload& payload) {
  nlohmann::json data = nlohmann::json::object();
  if (const auto* d = std::get_if<Description>(&payload)) {
    data["description"] = {{"type", d->type}, {"sdp", d->sdp}};
  } else if (const auto* c = std::get_if<Candidate>(&payload)) {
    nlohmann::json cj = {{"candidate", c->candidate}};
    if (c->sdp_mid)
      cj["sdpMid"] = *c->sdp_mid;
    if (c->sdp_mline_index)
      cj["sdpMLineIndex"] = *c->sdp_mline_index;
    if (c->username_fragment)
      cj["usernameFragment"] = *c->username_fragment;
    data["candidate"] = std::move(cj);
  } else {
    data["candidate"] = nullptr;
  }
  return data;
}

} // namespace rtc_signaling::dialects

#include "dialects/canonical.hpp"

#include <utility>

#include "dialects/signal_fields.hpp"
#include "validation.hpp"

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

std::variant<SignalPayload, std::string> checked(SignalPayload p, const Limits& limits) {
  if (auto problem = validation::check_payload(p, limits))
    return *problem;
  return p;
}

std::variant<SignalPayload, std::string> decode_canonical(const nlohmann::json& j,
                                                          const Limits& limits) {
  if (!j.is_object())
    return std::string("payload is not an object");
  std::string why;
  if (auto d = j.find("description"); d != j.end()) {
    if (!d->is_object())
      return std::string("description is not an object");
    if (auto desc = description_fields(*d, why))
      return checked(std::move(*desc), limits);
    return why;
  }
  if (auto c = j.find("candidate"); c != j.end()) {
    if (c->is_null())
      return SignalPayload{EndOfCandidates{}};
    if (!c->is_object())
      return std::string("candidate is not an object");
    if (auto cand = candidate_fields(*c, "candidate", "sdpMid", "sdpMLineIndex", why))
      return checked(std::move(*cand), limits);
    return why;
  }
  return std::string("payload has neither description nor candidate");
}

} // namespace rtc_signaling::dialects

#include "dialects/signal_fields.hpp"

#include <utility>

#include "validation.hpp"

namespace rtc_signaling::dialects {

using json = nlohmann::json;

namespace {

/// A string no longer than the validation limits allow for ids and mids, or nullopt with why.
bool short_string_or_null(const json& c, const char* key, std::optional<std::string>& out,
                          std::string& why) {
  auto it = c.find(key);
  if (it == c.end() || it->is_null())
    return true;
  if (!it->is_string() || it->get_ref<const std::string&>().size() > 256) {
    why = std::string(key) + " is not a short string";
    return false;
  }
  out = it->get<std::string>();
  return true;
}

} // namespace

std::optional<Candidate> candidate_fields(const json& c, const char* text_key,
                                          const char* mid_key, const char* index_key,
                                          std::string& why) {
  Candidate cand;
  auto text = c.find(text_key);
  if (text == c.end() || !text->is_string()) {
    why = "candidate has no candidate string";
    return std::nullopt;
  }
  cand.candidate = text->get<std::string>();
  if (!short_string_or_null(c, mid_key, cand.sdp_mid, why))
    return std::nullopt;
  if (auto idx = c.find(index_key); idx != c.end() && !idx->is_null()) {
    if (!idx->is_number_integer() || idx->get<std::int64_t>() < 0 ||
        idx->get<std::int64_t>() > 65535) {
      why = std::string(index_key) + " is not a valid index";
      return std::nullopt;
    }
    cand.sdp_mline_index = static_cast<int>(idx->get<std::int64_t>());
  }
  if (!short_string_or_null(c, "usernameFragment", cand.username_fragment, why))
    return std::nullopt;
  return cand;
}

std::optional<Description> description_fields(const json& d, std::string& why) {
  auto type = d.find("type");
  auto sdp = d.find("sdp");
  if (type == d.end() || !type->is_string() || sdp == d.end() || !sdp->is_string()) {
    why = "description needs string type and sdp";
    return std::nullopt;
  }
  return Description{type->get<std::string>(), sdp->get<std::string>()};
}

json candidate_init_json(const Candidate& c) {
  json j = {{"candidate", c.candidate},
            {"sdpMid", c.sdp_mid ? json(*c.sdp_mid) : json(nullptr)},
            {"sdpMLineIndex", c.sdp_mline_index ? json(*c.sdp_mline_index) : json(nullptr)}};
  if (c.username_fragment)
    j["usernameFragment"] = *c.username_fragment;
  return j;
}

std::variant<SignalPayload, std::string> browser_signal(const std::string& type, const json& value,
                                                        const Limits& limits) {
  SignalPayload payload;
  std::string why;
  if (type == "candidate") {
    if (value.is_null())
      return SignalPayload{EndOfCandidates{}};
    if (!value.is_object())
      return std::string("candidate is neither an object nor null");
    auto c = candidate_fields(value, "candidate", "sdpMid", "sdpMLineIndex", why);
    if (!c)
      return why;
    if (c->candidate.empty())
      return SignalPayload{EndOfCandidates{}};
    payload = std::move(*c);
  } else {
    if (!value.is_object())
      return std::string(type + " is not an object");
    auto d = description_fields(value, why);
    if (!d)
      return type + ": " + why;
    if (d->type != type)
      return std::string(type + " carries a description of type " + d->type);
    payload = std::move(*d);
  }
  if (auto problem = validation::check_payload(payload, limits))
    return *problem;
  return payload;
}

} // namespace rtc_signaling::dialects

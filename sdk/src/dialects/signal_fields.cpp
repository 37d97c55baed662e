#include "dialects/signal_fields.hpp"

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

} // namespace rtc_signaling::dialects

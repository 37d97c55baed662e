// The contract base (method renames, case-insensitive targets), the factory, the shared
// argument readers (signalr_contract_support.hpp) and the signal shapes tests see. Each
// contract lives in its own file: signalr_room.cpp, signalr_signalrtc.cpp, signalr_ekobit.cpp.
#include "dialects/signalr_contracts.hpp"

#include <cctype>
#include <utility>

#include "dialects/json_text.hpp"
#include "dialects/signalr_contract_support.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::signalr {

// ---------------------------------------------------------------- shared readers

namespace support {

msg::DecodeError bad(std::string why) {
  return msg::DecodeError{errc::bad_message, std::move(why)};
}

Translated fail(const std::string& target, const std::string& why) {
  return {{bad(target + ": " + why)}, {}};
}

std::variant<json, std::string> parse_text(const json& arg, const Limits& limits) {
  if (!arg.is_string())
    return std::string("argument is not a string");
  const auto& text = arg.get_ref<const std::string&>();
  if (!validation::json_depth_within(text, limits.max_json_depth))
    return std::string("JSON nested too deeply");
  auto j = parse_json_text(text);
  if (!j)
    return std::string("argument is not one JSON value");
  return std::move(*j);
}

std::optional<std::string> string_at(const json& args, std::size_t i) {
  if (!args.is_array() || args.size() <= i || !args[i].is_string())
    return std::nullopt;
  return args[i].get<std::string>();
}

std::variant<msg::PeerEntry, std::string> peer_entry(const json& j, const char* id_key,
                                                     const char* name_key, const Limits& limits) {
  if (!j.is_object())
    return std::string("peer is not an object");
  msg::PeerEntry p;
  auto id = j.find(id_key);
  if (id == j.end() || !id->is_string() || !validation::valid_peer_id(id->get<std::string>()))
    return std::string(id_key) + " is not a valid peer id";
  p.id = id->get<std::string>();
  auto name = j.find(name_key);
  if (name != j.end() && !name->is_null()) {
    if (!name->is_string())
      return std::string(name_key) + " is not a string";
    p.name = name->get<std::string>();
    if (auto problem = validation::check_name(p.name, limits))
      return *problem;
  }
  return p;
}

msg::Decoded<msg::ServerMessage> signal_from(const std::string& target, const json& from,
                                             std::variant<SignalPayload, std::string> payload) {
  if (!from.is_string() || !validation::valid_peer_id(from.get<std::string>()))
    return bad(target + ": sender is not a valid peer id");
  if (auto* why = std::get_if<std::string>(&payload))
    return bad(target + ": " + *why);
  return msg::ServerMessage{
      msg::Signal{std::nullopt, from.get<std::string>(), std::get<SignalPayload>(payload)}};
}

} // namespace support

using namespace support;

Contract::Contract(const Config& config) : config_(config) {}

std::string Contract::method(const char* canonical) const {
  auto it = config_.signalr.methods.find(canonical);
  return it == config_.signalr.methods.end() ? std::string(canonical) : it->second;
}

bool Contract::is(const std::string& target, const char* canonical) const {
  const std::string expected = method(canonical);
  if (expected.size() != target.size())
    return false;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(target[i])) !=
        std::tolower(static_cast<unsigned char>(expected[i])))
      return false;
  }
  return true;
}

std::unique_ptr<Contract> make_contract(const Config& config) {
  switch (config.signalr.contract) {
  case SignalrContract::room:
    return make_room(config);
  case SignalrContract::signalrtc:
    return make_signalrtc(config);
  case SignalrContract::ekobit:
    return make_ekobit(config);
  case SignalrContract::snaprtc:
    return make_snaprtc(config);
  }
  return nullptr;
}

std::optional<json> encode_simplepeer(const SignalPayload& p) {
  if (const auto* d = std::get_if<Description>(&p))
    return json{{"type", d->type}, {"sdp", d->sdp}};
  if (const auto* c = std::get_if<Candidate>(&p)) {
    json cj = {{"candidate", c->candidate},
               {"sdpMLineIndex", c->sdp_mline_index ? json(*c->sdp_mline_index) : json(nullptr)},
               {"sdpMid", c->sdp_mid ? json(*c->sdp_mid) : json(nullptr)}};
    return json{{"type", "candidate"}, {"candidate", std::move(cj)}};
  }
  return std::nullopt;
}

std::variant<SignalPayload, std::monostate, std::string> decode_simplepeer(const json& j,
                                                                           const Limits& limits) {
  if (!j.is_object())
    return std::string("signal is not an object");
  if (j.contains("renegotiate") || j.contains("transceiverRequest"))
    return std::monostate{};
  std::string why;
  if (auto c = j.find("candidate"); c != j.end()) {
    if (!c->is_object())
      return std::string("candidate is not an object");
    auto cand = candidate_fields(*c, "candidate", "sdpMid", "sdpMLineIndex", why);
    if (!cand)
      return why;
    auto r = checked(std::move(*cand), limits);
    if (auto* e = std::get_if<std::string>(&r))
      return *e;
    return std::get<SignalPayload>(r);
  }
  if (j.contains("sdp")) {
    auto desc = description_fields(j, why);
    if (!desc)
      return why;
    auto r = checked(std::move(*desc), limits);
    if (auto* e = std::get_if<std::string>(&r))
      return *e;
    return std::get<SignalPayload>(r);
  }
  return std::string("signal has neither sdp nor candidate");
}

std::optional<json> encode_ekobit(const SignalPayload& p) {
  if (const auto* d = std::get_if<Description>(&p))
    return json{{"type", d->type}, {"sdp", d->sdp}};
  if (const auto* c = std::get_if<Candidate>(&p)) {
    return json{{"type", "candidate"},
                {"label", c->sdp_mline_index ? json(*c->sdp_mline_index) : json(nullptr)},
                {"id", c->sdp_mid ? json(*c->sdp_mid) : json(nullptr)},
                {"candidate", c->candidate}};
  }
  return std::nullopt;
}

} // namespace rtc_signaling::dialects::signalr

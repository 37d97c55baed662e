#include "dialects/signalr_contracts.hpp"

#include <cctype>
#include <utility>

#include "dialects/json_text.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

// The ids the codelab contract gives the two members; the hub never names connections.
constexpr const char* kInitiator = "initiator";
constexpr const char* kJoiner = "joiner";
// signalrtc never tells a client its own connection id.
constexpr const char* kSignalrtcSelf = "self";

msg::DecodeError bad(std::string why) {
  return msg::DecodeError{errc::bad_message, std::move(why)};
}

/// An invocation whose arguments do not fit the contract: dropped with a bad-message error.
Translated fail(const std::string& target, const std::string& why) {
  return {{bad(target + ": " + why)}, {}};
}

/// A JSON document carried as a string argument, parsed with the frame limits.
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

/// {id|connectionId, name|userName} -> a roster entry, validated like native peers.
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

std::optional<Candidate> candidate_fields(const json& c, const char* text_key, const char* mid_key,
                                          const char* index_key, std::string& why) {
  Candidate cand;
  auto text = c.find(text_key);
  if (text == c.end() || !text->is_string()) {
    why = "candidate has no candidate string";
    return std::nullopt;
  }
  cand.candidate = text->get<std::string>();
  if (auto mid = c.find(mid_key); mid != c.end() && !mid->is_null()) {
    if (!mid->is_string() || mid->get_ref<const std::string&>().size() > 256) {
      why = std::string(mid_key) + " is not a short string";
      return std::nullopt;
    }
    cand.sdp_mid = mid->get<std::string>();
  }
  if (auto idx = c.find(index_key); idx != c.end() && !idx->is_null()) {
    if (!idx->is_number_integer() || idx->get<std::int64_t>() < 0 ||
        idx->get<std::int64_t>() > 65535) {
      why = std::string(index_key) + " is not a valid index";
      return std::nullopt;
    }
    cand.sdp_mline_index = static_cast<int>(idx->get<std::int64_t>());
  }
  if (auto uf = c.find("usernameFragment"); uf != c.end() && uf->is_string())
    cand.username_fragment = uf->get<std::string>();
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

/// Final §3.4 check on any decoded payload.
std::variant<SignalPayload, std::string> checked(SignalPayload p, const Limits& limits) {
  if (auto problem = validation::check_payload(p, limits))
    return *problem;
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

// ---------------------------------------------------------------- room

class Room final : public Contract {
public:
  using Contract::Contract;
  const char* name() const noexcept override { return "room"; }

  Translated join(const msg::Join& j, const std::optional<PeerId>&) const override {
    return {{}, {Call{method("Join"), json::array({j.room, j.name}), true}}};
  }

  std::vector<Call> calls(const msg::ClientMessage& m) const override {
    if (const auto* s = std::get_if<msg::SignalTo>(&m))
      return {Call{method("Signal"), json::array({s->to, dump(encode_canonical(s->payload))})}};
    if (std::holds_alternative<msg::Leave>(m))
      return {Call{method("Leave"), json::array()}};
    return {};
  }

  Translated on_invocation(const std::string& target, const json& args,
                           const PeerId&) const override {
    const Limits& limits = config_.limits;
    Translated out;
    if (is(target, "Welcome")) {
      msg::Welcome w;
      auto self = string_at(args, 0);
      if (!self || !validation::valid_peer_id(*self))
        return fail(target, "selfId is not a valid peer id");
      w.id = *self;
      w.room = config_.room;
      if (args.size() > 1 && !args[1].is_null()) {
        if (!args[1].is_array())
          return fail(target, "peers is not an array");
        for (const auto& p : args[1]) {
          auto entry = peer_entry(p, "id", "name", limits);
          if (auto* why = std::get_if<std::string>(&entry))
            return fail(target, *why);
          w.peers.push_back(std::get<msg::PeerEntry>(entry));
        }
      }
      out.messages.push_back(msg::ServerMessage{std::move(w)});
    } else if (is(target, "PeerJoined")) {
      if (args.empty())
        return fail(target, "missing peer");
      auto entry = peer_entry(args[0], "id", "name", limits);
      if (auto* why = std::get_if<std::string>(&entry))
        return fail(target, *why);
      out.messages.push_back(
          msg::ServerMessage{msg::PeerJoined{std::nullopt, std::get<msg::PeerEntry>(entry)}});
    } else if (is(target, "Signal")) {
      if (args.size() < 2)
        return fail(target, "expected (fromId, payloadJson)");
      auto parsed = parse_text(args[1], limits);
      if (auto* why = std::get_if<std::string>(&parsed))
        return fail(target, *why);
      out.messages.push_back(
          signal_from(target, args[0], decode_canonical(std::get<json>(parsed), limits)));
    } else if (is(target, "PeerLeft")) {
      auto id = string_at(args, 0);
      if (!id || !validation::valid_peer_id(*id))
        return fail(target, "id is not a valid peer id");
      out.messages.push_back(msg::ServerMessage{msg::PeerLeft{std::nullopt, *id, "left"}});
    } else {
      out.messages.push_back(msg::ServerMessage{msg::Unknown{target}});
    }
    return out;
  }
};

// ---------------------------------------------------------------- signalrtc

class Signalrtc final : public Contract {
public:
  using Contract::Contract;
  const char* name() const noexcept override { return "signalrtc"; }

  Translated join(const msg::Join& j, const std::optional<PeerId>& connection_id) const override {
    // No roster comes back: we are "in" as soon as the hub knows our name. The hub never says
    // who we are, but negotiate's connectionId is the id the others see for us.
    msg::Welcome w;
    w.id = connection_id.value_or(kSignalrtcSelf);
    w.room = config_.room;
    return {{msg::ServerMessage{std::move(w)}},
            {Call{method("NewUser"), json::array({j.name}), true}}};
  }

  std::vector<Call> calls(const msg::ClientMessage& m) const override {
    if (const auto* s = std::get_if<msg::SignalTo>(&m)) {
      if (auto signal = encode_simplepeer(s->payload))
        return {Call{method("SendSignal"), json::array({dump(*signal), s->to})}};
    }
    // Leaving is closing the connection: the hub announces UserDisconnect.
    return {};
  }

  Translated on_invocation(const std::string& target, const json& args,
                           const PeerId&) const override {
    const Limits& limits = config_.limits;
    Translated out;
    const bool arrived = is(target, "NewUserArrived");
    if (arrived || is(target, "UserSaidHello")) {
      if (args.empty())
        return fail(target, "missing user info");
      auto parsed = parse_text(args[0], limits);
      if (auto* why = std::get_if<std::string>(&parsed))
        return fail(target, *why);
      auto entry = peer_entry(std::get<json>(parsed), "connectionId", "userName", limits);
      if (auto* why = std::get_if<std::string>(&entry))
        return fail(target, *why);
      const auto& peer = std::get<msg::PeerEntry>(entry);
      // The newcomer hears hello from everyone present and calls each of them.
      out.messages.push_back(msg::ServerMessage{msg::PeerJoined{std::nullopt, peer, !arrived}});
      if (arrived) {
        out.calls.push_back(Call{method("HelloUser"), json::array({config_.name, peer.id})});
      }
    } else if (is(target, "SendSignal")) {
      if (args.size() < 2)
        return fail(target, "expected (fromConnectionId, signalJson)");
      auto parsed = parse_text(args[1], limits);
      if (auto* why = std::get_if<std::string>(&parsed))
        return fail(target, *why);
      auto decoded = decode_simplepeer(std::get<json>(parsed), limits);
      if (std::holds_alternative<std::monostate>(decoded)) {
        out.messages.push_back(msg::ServerMessage{msg::Unknown{"simple-peer control signal"}});
      } else if (auto* why = std::get_if<std::string>(&decoded)) {
        out.messages.push_back(signal_from(target, args[0], *why));
      } else {
        out.messages.push_back(signal_from(target, args[0], std::get<SignalPayload>(decoded)));
      }
    } else if (is(target, "UserDisconnect")) {
      auto id = string_at(args, 0);
      if (!id || !validation::valid_peer_id(*id))
        return fail(target, "connectionId is not a valid peer id");
      out.messages.push_back(msg::ServerMessage{msg::PeerLeft{std::nullopt, *id, "left"}});
    } else {
      out.messages.push_back(msg::ServerMessage{msg::Unknown{target}});
    }
    return out;
  }
};

// ---------------------------------------------------------------- codelab

class Codelab final : public Contract {
public:
  using Contract::Contract;
  const char* name() const noexcept override { return "codelab"; }

  Translated join(const msg::Join& j, const std::optional<PeerId>&) const override {
    return {{}, {Call{method("CreateOrJoinRoom"), json::array({j.room}), true}}};
  }

  std::vector<Call> calls(const msg::ClientMessage& m) const override {
    if (const auto* s = std::get_if<msg::SignalTo>(&m)) {
      if (auto message = encode_codelab(s->payload))
        return {Call{method("SendMessage"), json::array({config_.room, *message})}};
      return {};
    }
    if (std::holds_alternative<msg::Leave>(m)) {
      return {Call{method("SendMessage"), json::array({config_.room, "bye"})},
              Call{method("LeaveRoom"), json::array({config_.room})}};
    }
    return {};
  }

  Translated on_invocation(const std::string& target, const json& args,
                           const PeerId& self_id) const override {
    Translated out;
    // Ids by role, so both members agree on who is polite.
    const std::string other = self_id == kInitiator ? kJoiner : kInitiator;
    if (is(target, "created") || is(target, "joined")) {
      const bool created = is(target, "created");
      msg::Welcome w;
      w.id = created ? kInitiator : kJoiner;
      w.room = config_.room;
      out.messages.push_back(msg::ServerMessage{std::move(w)});
      // The joiner waits for the initiator's offer: the peer is known but not called.
      if (!created) {
        out.messages.push_back(
            msg::ServerMessage{msg::PeerJoined{std::nullopt, {kInitiator, ""}, false}});
      }
    } else if (is(target, "join")) {
      out.messages.push_back(msg::ServerMessage{msg::PeerJoined{std::nullopt, {other, ""}, true}});
    } else if (is(target, "full")) {
      out.messages.push_back(msg::ServerMessage{
          msg::ServerError{errc::room_full, "room " + config_.room + " is full", true}});
    } else if (is(target, "message")) {
      if (args.empty())
        return {{bad("message: missing message")}, {}};
      const json& m = args[0];
      if (m.is_string() && m.get<std::string>() == "bye") {
        out.messages.push_back(msg::ServerMessage{msg::PeerLeft{std::nullopt, other, "left"}});
      } else if (m.is_object() && m.contains("type") && m["type"].is_string()) {
        const auto type = m["type"].get<std::string>();
        std::string why;
        std::optional<SignalPayload> payload;
        if (type == "candidate") {
          if (auto c = candidate_fields(m, "candidate", "id", "label", why))
            payload = std::move(*c);
        } else if (type == "offer" || type == "answer") {
          if (auto d = description_fields(m, why))
            payload = std::move(*d);
        } else {
          out.messages.push_back(msg::ServerMessage{msg::Unknown{"codelab " + type}});
          return out;
        }
        std::variant<SignalPayload, std::string> result =
            payload ? checked(std::move(*payload), config_.limits)
                    : std::variant<SignalPayload, std::string>{why};
        out.messages.push_back(signal_from(target, json(other), std::move(result)));
      } else {
        // "got user media" and other app chatter of the original codelab client.
        out.messages.push_back(msg::ServerMessage{msg::Unknown{"codelab message"}});
      }
    } else {
      out.messages.push_back(msg::ServerMessage{msg::Unknown{target}});
    }
    return out;
  }
};

} // namespace

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
    return std::make_unique<Room>(config);
  case SignalrContract::signalrtc:
    return std::make_unique<Signalrtc>(config);
  case SignalrContract::codelab:
    return std::make_unique<Codelab>(config);
  }
  return nullptr;
}

std::variant<SignalPayload, std::string> decode_canonical(const json& j, const Limits& limits) {
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

std::optional<json> encode_codelab(const SignalPayload& p) {
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

// The `room` hub contract (signalr_contracts.hpp): Join / Signal / Leave with canonical payloads.
#include <utility>

#include "dialects/json_text.hpp"
#include "dialects/signalr_contract_support.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

using namespace support;

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

} // namespace

std::unique_ptr<Contract> support::make_room(const Config& config) {
  return std::make_unique<Room>(config);
}

} // namespace rtc_signaling::dialects::signalr

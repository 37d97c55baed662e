// The `signalrtc` hub contract (signalr_contracts.hpp): the Angular + simple-peer tutorial hub.
#include <utility>

#include "dialects/json_text.hpp"
#include "dialects/signalr_contract_support.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

using namespace support;

// signalrtc never tells a client its own connection id.
constexpr const char* kSignalrtcSelf = "self";

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

} // namespace

std::unique_ptr<Contract> support::make_signalrtc(const Config& config) {
  return std::make_unique<Signalrtc>(config);
}

} // namespace rtc_signaling::dialects::signalr

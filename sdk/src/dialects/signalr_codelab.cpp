// The `codelab` hub contract (signalr_contracts.hpp): two-person rooms, the first member offers.
#include <utility>

#include "dialects/json_text.hpp"
#include "dialects/signalr_contract_support.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

using namespace support;

// The ids the codelab contract gives the two members; the hub never names connections.
constexpr const char* kInitiator = "initiator";
constexpr const char* kJoiner = "joiner";

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
          msg::ServerError{errc::room_full, "room \"" + config_.room + "\" is full", true}});
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

std::unique_ptr<Contract> support::make_codelab(const Config& config) {
  return std::make_unique<Codelab>(config);
}

} // namespace rtc_signaling::dialects::signalr

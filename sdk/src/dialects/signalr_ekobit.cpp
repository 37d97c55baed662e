// The `ekobit` hub contract (alias `codelab`; signalr_contracts.hpp): the hub of the Ekobit
// SignalR + WebRTC article, as published (demo/signalr-hub EkobitHub reproduces it).
//
// CreateOrJoinRoom(room) answers the only member with created() and otherwise the whole group,
// the newcomer included, with joined(), both without arguments; SendMessage(message, room)
// reaches the others in the group; the hub never names a connection and never forgets one (no
// cleanup on disconnect), so joined() may reach a newcomer in an empty room. Hence:
// - our first created()/joined() on a hub connection is our welcome: `initiator` or `joiner`;
// - a joined() after that is a newcomer arriving: whoever is in the room calls it (a peer we had
//   is replaced: the hub cannot address members, so a room holds one call);
// - a newcomer shows no peer until one offers (a joined() nobody answers is nobody there), and
//   says "got user media" as the article's client does, which is what makes an article client
//   that is already in the room call;
// - messages are the Google codelab shapes: {type:'offer'|'answer', sdp}, {type:'candidate',
//   label, id, candidate}, 'bye'.
// Ids are labels each side gives itself and the other, so roles follow who calls
// (Policy::perfect_by_call_direction).
#include <utility>

#include "dialects/json_text.hpp"
#include "dialects/signalr_contract_support.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

using namespace support;

constexpr const char* kInitiator = "initiator";
constexpr const char* kJoiner = "joiner";
constexpr const char* kGotUserMedia = "got user media";

class Ekobit final : public Contract {
public:
  using Contract::Contract;
  const char* name() const noexcept override { return "ekobit"; }

  Translated join(const msg::Join& j, const std::optional<PeerId>&) const override {
    return {{}, {Call{method("CreateOrJoinRoom"), json::array({j.room}), true}}};
  }

  std::vector<Call> calls(const msg::ClientMessage& m) const override {
    if (const auto* s = std::get_if<msg::SignalTo>(&m)) {
      if (auto message = encode_ekobit(s->payload))
        return {send(*message)};
      return {};
    }
    if (std::holds_alternative<msg::Leave>(m))
      return {send("bye"), Call{method("LeaveRoom"), json::array({config_.room})}};
    return {};
  }

  Translated on_invocation(const std::string& target, const json& args,
                           const PeerId& self_id) const override {
    Translated out;
    const bool in_room = !self_id.empty();
    const std::string other = self_id == kInitiator ? kJoiner : kInitiator;
    auto push = [&](msg::ServerMessage m) { out.messages.push_back(std::move(m)); };
    if (is(target, "created") || (is(target, "joined") && !in_room)) {
      if (in_room)
        return out; // a second created() on one connection means nothing new
      const bool created = is(target, "created");
      msg::Welcome w;
      w.id = created ? kInitiator : kJoiner;
      w.room = config_.room;
      push(msg::ServerMessage{std::move(w)});
      if (!created)
        out.calls.push_back(send(kGotUserMedia));
    } else if (is(target, "joined")) {
      // Someone arrived. The room holds one call: a peer we had is gone, the newcomer is called.
      push(msg::ServerMessage{msg::PeerLeft{std::nullopt, other, "gone"}});
      push(msg::ServerMessage{msg::PeerJoined{std::nullopt, {other, ""}, true}});
    } else if (is(target, "full")) {
      push(msg::ServerMessage{
          msg::ServerError{errc::room_full, "room \"" + config_.room + "\" is full", true}});
    } else if (is(target, "log")) {
      // "[Server]: Client … joined the room …": the hub's chatter to the whole group.
    } else if (is(target, "message")) {
      if (args.empty())
        return {{bad("message: missing message")}, {}};
      on_message(args[0], other, target, out);
    } else {
      push(msg::ServerMessage{msg::Unknown{target}});
    }
    return out;
  }

private:
  Call send(json message) const {
    return Call{method("SendMessage"), json::array({std::move(message), config_.room})};
  }

  void on_message(const json& m, const std::string& other, const std::string& target,
                  Translated& out) const {
    if (m.is_string() && m.get_ref<const std::string&>() == "bye") {
      out.messages.push_back(msg::ServerMessage{msg::PeerLeft{std::nullopt, other, "left"}});
      return;
    }
    if (!m.is_object() || !m.contains("type") || !m["type"].is_string()) {
      // "got user media" and other app chatter of the article's client.
      out.messages.push_back(msg::ServerMessage{msg::Unknown{"ekobit message"}});
      return;
    }
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
      out.messages.push_back(msg::ServerMessage{msg::Unknown{"ekobit " + type}});
      return;
    }
    // The first offer is the member the hub told us nothing about showing up (known: no-op).
    if (type == "offer")
      out.messages.push_back(msg::ServerMessage{msg::PeerJoined{std::nullopt, {other, ""}, false}});
    std::variant<SignalPayload, std::string> result =
        payload ? checked(std::move(*payload), config_.limits)
                : std::variant<SignalPayload, std::string>{why};
    out.messages.push_back(signal_from(target, json(other), std::move(result)));
  }
};

} // namespace

std::unique_ptr<Contract> support::make_ekobit(const Config& config) {
  return std::make_unique<Ekobit>(config);
}

} // namespace rtc_signaling::dialects::signalr

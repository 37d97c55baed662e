#include "dialects/dyson.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "dialects/frame_json.hpp"
#include "dialects/json_text.hpp"
#include "dialects/signal_fields.hpp"
#include "random.hpp"
#include "rtc_signaling/error.hpp"
#include "url.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::dyson {
namespace {

using json = nlohmann::json;
constexpr const char* kMarker = "rtcSignaling";
constexpr std::size_t kMaxDeviceBytes = 16;

msg::DecodeError bad(std::string why) {
  return msg::DecodeError{errc::bad_message, "dyson packet: " + std::move(why)};
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// A string member, or nullptr.
const std::string* string_at(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

/// `account` as the server stamps it: its nick, else its name, else "".
std::string display_name(const json& data, const Limits& limits) {
  auto account = data.find("account");
  if (account == data.end() || !account->is_object())
    return {};
  for (const char* key : {"nick", "name"}) {
    if (const std::string* n = string_at(*account, key); n && !n->empty()) {
      std::string name = validation::truncate_utf8(*n, limits.max_name_bytes);
      // The server's account data, not a frame error: a name we cannot show is shown as none.
      return validation::check_name(name, limits) ? std::string() : name;
    }
  }
  return {};
}

/// The account and device of a peer id (`<account>:<device>`).
std::pair<std::string, std::string> split_peer(const PeerId& peer) {
  const auto colon = peer.rfind(':');
  if (colon == std::string::npos)
    return {peer, {}};
  return {peer.substr(0, colon), peer.substr(colon + 1)};
}

} // namespace

/// One webrtc.signal packet relayed from someone, checked as far as the envelope goes.
struct Dyson::Relayed {
  std::string type;      ///< the inner type
  const json* data;      ///< the inner data, an object carrying our marker
  std::string account;   ///< account_id, set by the server
  std::string device;
  PeerId from;           ///< account:device
  std::string to_device; ///< empty: to everyone
  std::string name;
};

std::string make_device(std::uint64_t seed) {
  core::Random random(seed ^ 0x64797365ULL); // "dyse": not the backoff's jitter sequence
  std::uint64_t bits = random.next();
  std::string device(8, '0');
  for (std::size_t i = device.size(); i-- > 0; bits >>= 4)
    device[i] = "0123456789abcdef"[bits & 0xF];
  return device;
}

bool is_chat_id(std::string_view room) noexcept {
  if (room.size() != 36)
    return false;
  for (std::size_t i = 0; i < room.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? room[i] != '-' : !is_hex(room[i]))
      return false;
  }
  return true;
}

Dyson::Dyson(const Config& config)
    : limits_(config.limits), room_(config.room), device_(make_device(config.seed)),
      beat_ms_(config.ping_interval_ms),
      book_(TimeMs{config.ping_interval_ms} * kMissedBeats, config.limits.max_peers) {}

std::optional<std::string> Dyson::config_problem(const Config& config) const {
  if (!is_chat_id(config.room))
    return "dyson room must be the chat room's id, a GUID such as "
           "\"3f2504e0-4f89-11d3-9a0c-0305e82c3301\"; got \"" +
           validation::truncate_utf8(config.room, 64) + "\"";
  return std::nullopt;
}

std::string Dyson::socket_url(const Config& config, const std::optional<std::string>& token) const {
  std::string base = config.url;
  std::string query;
  if (auto q = base.find('?'); q != std::string::npos) {
    query = base.substr(q);
    base.resize(q);
  }
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  std::vector<std::pair<std::string, std::string>> params;
  if (token && !token->empty())
    params.emplace_back("tk", *token);
  return url::with_query(base + "/" + config.room + query, params);
}

std::optional<Dialect::Fail> Dyson::refusal(int status, const Config& config) const {
  if (status == 403)
    return Fail{errc::forbidden,
                "the account is not a member of chat room \"" + config.room + "\" (HTTP 403)", true};
  if (status == 404)
    return Fail{errc::not_found,
                "no chat room \"" + config.room + "\" at " + url::to_http(config.url) +
                    " (HTTP 404: is url the server's realtime base, e.g. "
                    "wss://host/api/chat/realtime?)",
                true};
  return std::nullopt;
}

Dialect::Step Dyson::begin_attempt(const Config& config, const std::optional<std::string>& token) {
  book_.socket_closed();
  frames_.clear();
  return Connect{socket_url(config, token)};
}

// ---------------------------------------------------------------- outgoing

std::string Dyson::envelope(const std::string& type, std::string data_json,
                            const std::string& to_account) const {
  // The inner data is spliced in as text: it is already the compact dump of an object.
  std::string to = to_account.empty() ? "null" : dump_json_text(json(to_account));
  return R"({"type":"webrtc.signal","data":{"type":)" + dump_json_text(json(type)) +
         R"(,"data":)" + data_json + R"(,"to":)" + to + "}}";
}

std::string Dyson::presence(const char* kind, const PeerId& to) const {
  json data = {{"kind", kind}, {kMarker, 1}, {"device", device_}};
  std::string account;
  if (!to.empty()) {
    auto [to_account, to_device] = split_peer(to);
    data["toDevice"] = to_device;
    account = to_account;
  }
  return envelope(kPresenceType, dump_json_text(data), account);
}

std::string Dyson::encode(const msg::ClientMessage& m) const {
  if (const auto* s = std::get_if<msg::SignalTo>(&m)) {
    auto [account, to_device] = split_peer(s->to);
    json data;
    std::string type = "candidate";
    if (const auto* d = std::get_if<Description>(&s->payload)) {
      type = d->type;
      data = {{"type", d->type}, {"sdp", d->sdp}};
    } else if (const auto* c = std::get_if<Candidate>(&s->payload)) {
      data = candidate_init_json(*c);
    } else {
      data = {{"candidate", ""}, {"sdpMid", nullptr}, {"sdpMLineIndex", nullptr}};
    }
    data[kMarker] = 1;
    data["device"] = device_;
    data["toDevice"] = to_device;
    return envelope(type, dump_json_text(data), account);
  }
  if (std::holds_alternative<msg::Ping>(m))
    return presence("beat", {});
  if (std::holds_alternative<msg::Leave>(m))
    return presence("bye", {});
  return {}; // join: the server welcomes every socket; hello follows its welcome. Acks: none.
}

std::vector<std::string> Dyson::encode_all(const msg::ClientMessage& m) {
  std::string frame = encode(m);
  if (frame.empty())
    return {};
  std::vector<std::string> out{std::move(frame)};
  if (std::holds_alternative<msg::SignalTo>(m)) {
    // Directed signals reach only their account, so a peer busy calling someone else would
    // look silent to the rest of the room: its beat rides along once per interval.
    if (book_.now() >= last_broadcast_ + beat_ms_) {
      out.push_back(presence("beat", {}));
      last_broadcast_ = book_.now();
    }
  } else {
    last_broadcast_ = book_.now();
  }
  return out;
}

std::vector<std::string> Dyson::take_frames() {
  return std::exchange(frames_, {});
}

std::vector<msg::Decoded<msg::ServerMessage>> Dyson::take_messages() {
  return std::exchange(messages_, {});
}

// ---------------------------------------------------------------- incoming

namespace {

/// The parsed packet (an object with a string type), or why it is refused.
std::variant<json, msg::DecodeError> parse(std::string_view text, const Limits& limits) {
  auto parsed = json_object_frame(text, limits, "dyson packet");
  if (auto* j = std::get_if<json>(&parsed); j && !string_at(*j, "type"))
    return bad("no type");
  return parsed;
}

} // namespace

msg::Decoded<msg::ServerMessage> Dyson::decode(std::string_view text) const {
  auto parsed = parse(text, limits_);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return *e;
  return msg::ServerMessage{msg::Unknown{*string_at(std::get<json>(parsed), "type")}};
}

std::vector<msg::Decoded<msg::ServerMessage>> Dyson::decode_all(std::string_view text) {
  auto parsed = parse(text, limits_);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return {*e};
  const json& packet = std::get<json>(parsed);
  const std::string& type = *string_at(packet, "type");
  auto data = packet.find("data");
  const bool has_data = data != packet.end() && data->is_object();
  if (type == "webrtc") {
    if (!has_data)
      return {bad("welcome without data")};
    return on_welcome(*data);
  }
  if (type == "user-joined")
    return {}; // the joiner's SDK says hello; an account is not yet a device we can call
  if (type != "webrtc.signal")
    return {msg::ServerMessage{msg::Unknown{type}}};
  if (!has_data)
    return {bad("webrtc.signal without data")};
  Relayed r;
  const std::string* inner_type = string_at(*data, "type");
  const std::string* account = string_at(*data, "account_id");
  if (!inner_type || !account)
    return {bad("webrtc.signal needs string type and account_id")};
  r.type = *inner_type;
  r.account = *account;
  auto inner = data->find("data");
  if (inner == data->end() || !inner->is_object() || inner->find(kMarker) == inner->end())
    return {msg::ServerMessage{msg::Unknown{"webrtc.signal:" + r.type}}}; // another client's
  r.data = &*inner;
  const std::string* device = string_at(*inner, "device");
  if (!device || device->empty() || device->size() > kMaxDeviceBytes)
    return {bad(r.type + " from " + r.account + " has no valid device")};
  r.device = *device;
  r.from = r.account + ":" + r.device;
  if (!validation::valid_peer_id(r.from))
    return {bad("account_id and device do not form a valid peer id")};
  if (r.account == account_ && r.device == device_)
    return {}; // our own broadcast, echoed
  if (const std::string* to = string_at(*data, "to"); to && *to != account_)
    return {}; // the server routes by account; not ours
  if (auto to_device = inner->find("toDevice"); to_device != inner->end() && !to_device->is_null()) {
    if (!to_device->is_string())
      return {bad("toDevice is not a string")};
    r.to_device = to_device->get<std::string>();
  }
  r.name = display_name(*data, limits_);
  return on_relayed(r);
}

std::vector<msg::Decoded<msg::ServerMessage>> Dyson::on_welcome(const json& data) {
  const std::string* user = string_at(data, "user_id");
  if (!user)
    return {bad("welcome without user_id")};
  if (!validation::valid_peer_id(*user + ":" + device_))
    return {bad("user_id is not usable as an id")};
  account_ = *user;
  self_ = account_ + ":" + device_;
  // Announced on this socket: the room as we know it is the session's welcome; every SDK in the
  // room answers our hello, and a newcomer calls the ones that answer.
  std::vector<msg::Decoded<msg::ServerMessage>> out{msg::ServerMessage{book_.welcome(self_, room_)}};
  frames_.push_back(presence("hello", {}));
  last_broadcast_ = book_.now();
  return out;
}

std::vector<msg::Decoded<msg::ServerMessage>> Dyson::on_relayed(const Relayed& r) {
  // Any frame from a peer proves it alive, even one for another tab of our account.
  book_.seen(r.from);
  if (!r.to_device.empty() && r.to_device != device_)
    return {};
  const json& data = *r.data;
  if (r.type == kPresenceType) {
    const std::string* kind = string_at(data, "kind");
    if (!kind)
      return {bad("presence from " + r.from + " has no kind")};
    if (*kind == "bye") {
      if (!book_.forget(r.from))
        return {};
      return {msg::ServerMessage{msg::PeerLeft{std::nullopt, r.from, "left"}}};
    }
    if (*kind != "hello" && *kind != "here" && *kind != "beat")
      return {msg::ServerMessage{msg::Unknown{"presence:" + *kind}}};
    if (*kind == "here" && r.to_device.empty())
      return {bad("here from " + r.from + " names no device")};
    const bool known = book_.heard(r.from, r.name);
    // hello: a newcomer (or one we lost) announces itself; tell it who we are and it calls.
    // beat from a stranger: we lost it (or it us) during an outage; the same repair.
    // here: the reply to our hello; we are the newcomer and call.
    if (*kind == "hello" || (*kind == "beat" && !known))
      frames_.push_back(presence("here", r.from));
    if (*kind == "beat" && known)
      return {};
    return {msg::ServerMessage{msg::PeerJoined{std::nullopt, {r.from, r.name}, *kind == "here"}}};
  }
  if (r.type != "offer" && r.type != "answer" && r.type != "candidate")
    return {msg::ServerMessage{msg::Unknown{"webrtc.signal:" + r.type}}};
  if (r.to_device.empty())
    return {bad(r.type + " from " + r.from + " names no device")};
  auto payload = browser_signal(r.type, data, limits_);
  if (auto* why = std::get_if<std::string>(&payload))
    return {bad(r.type + " from " + r.from + ": " + *why)};
  std::vector<msg::Decoded<msg::ServerMessage>> out;
  if (!book_.known(r.from) && r.type == "offer") {
    // The first we hear of a member is its call (its hello crossed our welcome): it joins.
    book_.heard(r.from, r.name);
    out.push_back(msg::ServerMessage{msg::PeerJoined{std::nullopt, {r.from, r.name}, false}});
  }
  out.push_back(msg::ServerMessage{msg::Signal{std::nullopt, r.from, std::get<SignalPayload>(payload)}});
  return out;
}

void Dyson::on_timeout(TimeMs now) {
  for (auto& id : book_.expire(now))
    messages_.push_back(msg::ServerMessage{msg::PeerLeft{std::nullopt, std::move(id), "timeout"}});
}

} // namespace rtc_signaling::dialects::dyson

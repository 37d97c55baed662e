#include "dialects/relay.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "dialects/frame_json.hpp"
#include "dialects/json_text.hpp"
#include "dialects/signal_fields.hpp"
#include "random.hpp"
#include "rtc_signaling/error.hpp"
#include "url.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::relay {
namespace {

using json = nlohmann::json;
constexpr const char* kMarker = "rtcSignaling";

constexpr auto dump = dump_json_text;

msg::DecodeError bad(std::string why) {
  return msg::DecodeError{errc::bad_message, "relay frame: " + std::move(why)};
}

/// A frame as the relay delivers it: type, its value, from, to.
struct Frame {
  std::string type;
  json value;
  PeerId from;
  std::string to;
};

std::variant<Frame, msg::DecodeError> parse(std::string_view text, const Limits& limits) {
  auto parsed = json_object_frame(text, limits, "relay frame");
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return *e;
  auto* j = &std::get<json>(parsed);
  auto type = j->find("type");
  if (type == j->end() || !type->is_string())
    return bad("no type");
  Frame f;
  f.type = type->get<std::string>();
  if (f.type != "offer" && f.type != "answer" && f.type != "candidate")
    return bad("type is not offer, answer or candidate");
  auto from = j->find("from");
  if (from == j->end() || !from->is_string() || !validation::valid_peer_id(from->get<std::string>()))
    return bad("from is not a valid peer id");
  f.from = from->get<std::string>();
  if (auto to = j->find("to"); to != j->end() && to->is_string())
    f.to = to->get<std::string>();
  if (auto value = j->find(f.type); value != j->end())
    f.value = std::move(*value);
  return f;
}

/// A frame addressed to us that is not presence, as the signal it carries.
msg::Decoded<msg::ServerMessage> signal_of(const Frame& f, const Limits& limits) {
  auto payload = browser_signal(f.type, f.value, limits);
  if (auto* why = std::get_if<std::string>(&payload))
    return bad(f.type + " from " + f.from + ": " + *why);
  return msg::ServerMessage{msg::Signal{std::nullopt, f.from, std::get<SignalPayload>(payload)}};
}

/// The presence record of a frame, when it is one.
const json* presence_of(const Frame& f) {
  if (f.type != "candidate" || !f.value.is_object())
    return nullptr;
  auto p = f.value.find(kMarker);
  return p == f.value.end() ? nullptr : &*p;
}

} // namespace

PeerId make_id(std::uint64_t seed) {
  core::Random random(seed ^ 0x72656c6179ULL); // "relay": not the backoff's jitter sequence
  std::uint64_t bits = random.next();
  std::string id = "rs-0000000000000000";
  for (std::size_t i = id.size(); i-- > 3; bits >>= 4)
    id[i] = "0123456789abcdef"[bits & 0xF];
  return id;
}

Relay::Relay(const Config& config)
    : limits_(config.limits), room_(config.room), name_(config.name), self_(make_id(config.seed)),
      book_(TimeMs{config.ping_interval_ms} * kMissedBeats, config.limits.max_peers) {}

std::string Relay::socket_url(const Config& config, const std::optional<std::string>& token) const {
  std::vector<std::pair<std::string, std::string>> params;
  if (token && !token->empty())
    params.emplace_back("access_token", *token);
  return url::with_query(config.url, params);
}

Dialect::Step Relay::begin_attempt(const Config& config, const std::optional<std::string>& token) {
  book_.socket_closed();
  frames_.clear();
  return Connect{socket_url(config, token)};
}

// ---------------------------------------------------------------- outgoing

std::string Relay::presence(const char* kind, const std::string& to) const {
  json p = {{"v", 1}, {"kind", kind}, {"room", room_}, {"name", name_}};
  return dump(json{{"type", "candidate"}, {"candidate", {{kMarker, std::move(p)}}},
                   {"from", self_}, {"to", to}});
}

std::string Relay::encode(const msg::ClientMessage& m) const {
  if (const auto* s = std::get_if<msg::SignalTo>(&m)) {
    json frame = {{"from", self_}, {"to", s->to}};
    if (const auto* d = std::get_if<Description>(&s->payload)) {
      frame["type"] = d->type;
      frame[d->type] = json{{"type", d->type}, {"sdp", d->sdp}};
    } else if (const auto* c = std::get_if<Candidate>(&s->payload)) {
      frame["type"] = "candidate";
      frame["candidate"] = candidate_init_json(*c);
    } else {
      frame["type"] = "candidate";
      frame["candidate"] = nullptr;
    }
    return dump(frame);
  }
  if (std::holds_alternative<msg::Join>(m))
    return presence("hello", kEveryone);
  if (std::holds_alternative<msg::Ping>(m))
    return presence("beat", kEveryone);
  if (std::holds_alternative<msg::Leave>(m))
    return presence("bye", kEveryone);
  return {}; // acks: the relay has none
}

std::vector<std::string> Relay::encode_all(const msg::ClientMessage& m) {
  if (const auto* join = std::get_if<msg::Join>(&m)) {
    name_ = join->name;
    // The socket is open and we announce ourselves: the room as we know it is the welcome.
    messages_.push_back(msg::ServerMessage{book_.welcome(self_, room_)});
  }
  std::string frame = encode(m);
  if (frame.empty())
    return {};
  return {std::move(frame)};
}

std::vector<std::string> Relay::take_frames() {
  return std::exchange(frames_, {});
}

std::vector<msg::Decoded<msg::ServerMessage>> Relay::take_messages() {
  return std::exchange(messages_, {});
}

// ---------------------------------------------------------------- incoming

msg::Decoded<msg::ServerMessage> Relay::decode(std::string_view text) const {
  auto parsed = parse(text, limits_);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return *e;
  auto& f = std::get<Frame>(parsed);
  if (f.from == self_)
    return bad("claims to come from our own id");
  if (presence_of(f) || f.to != self_)
    return msg::ServerMessage{msg::Unknown{f.type}};
  return signal_of(f, limits_);
}

std::vector<msg::Decoded<msg::ServerMessage>> Relay::decode_all(std::string_view text) {
  auto parsed = parse(text, limits_);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return {*e};
  auto& f = std::get<Frame>(parsed);
  if (f.from == self_)
    return {bad("claims to come from our own id")};
  const json* p = presence_of(f);
  if (!p) {
    // Every frame on the relay reaches every socket, so any frame proves its sender alive (a
    // peer busy signalling someone else sends no beats: its traffic keeps the ping timer off).
    // Only what is addressed to us is ours to act on.
    book_.seen(f.from);
    if (f.to != self_)
      return {};
    std::vector<msg::Decoded<msg::ServerMessage>> out;
    if (!book_.known(f.from) && f.type == "offer" && book_.size() < limits_.max_peers) {
      // A client that speaks only the tutorial's three types calls us: it joins the roster
      // with its offer (it never announces itself, so it has no name and no heartbeat; it
      // stays until it is replaced or we leave).
      book_.add_silent(f.from, "");
      out.push_back(msg::ServerMessage{msg::PeerJoined{std::nullopt, {f.from, ""}, false}});
    }
    out.push_back(signal_of(f, limits_));
    return out;
  }
  if (!p->is_object())
    return {bad("presence is not an object")};
  auto kind = p->find("kind");
  auto room = p->find("room");
  if (kind == p->end() || !kind->is_string() || room == p->end() || !room->is_string())
    return {bad("presence needs string kind and room")};
  if (room->get_ref<const std::string&>() != room_)
    return {}; // another room on the same relay
  const std::string& k = kind->get_ref<const std::string&>();
  if (k == "here" && f.to != self_)
    return {}; // a reply to someone else's hello
  std::string name;
  if (auto n = p->find("name"); n != p->end() && n->is_string()) {
    name = n->get<std::string>();
    if (auto problem = validation::check_name(name, limits_))
      return {bad("presence from " + f.from + ": " + *problem)};
  }
  if (k == "bye") {
    if (!book_.forget(f.from))
      return {};
    return {msg::ServerMessage{msg::PeerLeft{std::nullopt, f.from, "left"}}};
  }
  if (k != "hello" && k != "here" && k != "beat")
    return {msg::ServerMessage{msg::Unknown{"presence:" + k}}};
  const bool known = book_.heard(f.from, name);
  // hello: a newcomer (or one we lost) announces itself; tell it who we are, and it calls.
  // beat from a stranger: we lost it (or it us) during an outage; same repair.
  // here: the reply to our hello; we are the newcomer and call.
  if (k == "hello" || (k == "beat" && !known))
    frames_.push_back(presence("here", f.from));
  if (k == "beat" && known)
    return {};
  return {msg::ServerMessage{msg::PeerJoined{std::nullopt, {f.from, name}, k == "here"}}};
}

// ---------------------------------------------------------------- presence timeout

std::optional<TimeMs> Relay::next_deadline() const {
  return book_.next_deadline();
}

void Relay::on_timeout(TimeMs now) {
  for (auto& id : book_.expire(now))
    messages_.push_back(msg::ServerMessage{msg::PeerLeft{std::nullopt, std::move(id), "timeout"}});
}

} // namespace rtc_signaling::dialects::relay

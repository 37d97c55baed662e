// Both directions of the native v1 wire format (docs/ARCHITECTURE.md#walkthrough-the-native-dialect).
// Longer than our ~400-line guide on purpose: one file owns every frame shape, each encoder
// beside its decoder, so a change to the protocol is one diff that the codec test pins.
#include "dialects/native.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

#include "dialects/canonical.hpp"
#include "dialects/frame_json.hpp"
#include "dialects/native_fast.hpp"
#include "dialects/json_text.hpp"
#include "rtc_signaling/error.hpp"
#include "url.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::native {
namespace {

using json = nlohmann::json;

// JS numbers are doubles: a seq beyond 2^53 could not round-trip through a JS server.
constexpr std::uint64_t kMaxSeq = (std::uint64_t{1} << 53) - 1;
// Bounds for fields §3.4 does not list.
constexpr std::size_t kMaxRoomBytes = 256;
constexpr std::size_t kMaxTokenBytes = 4096;
constexpr std::size_t kMaxSecretBytes = 256;
constexpr std::size_t kMaxTypeBytes = 64;
constexpr std::size_t kMaxCodeBytes = 64;
constexpr std::size_t kMaxTextBytes = 1024;
constexpr std::size_t kMaxReasonBytes = 64;

constexpr auto dump = dump_json_text;

msg::DecodeError bad(std::string why) {
  return msg::DecodeError{errc::bad_message, std::move(why)};
}

/// Reads typed fields from one JSON object; the first problem sticks and later reads are no-ops.
class Fields {
public:
  explicit Fields(const json& object) : o_(object) {}

  const json* find(const char* key) const {
    auto it = o_.find(key);
    return it == o_.end() ? nullptr : &*it;
  }

  std::string text(const char* key, std::size_t max_bytes) {
    std::optional<std::string> v = optional_text(key, max_bytes);
    if (!v && ok())
      fail(std::string("missing ") + key);
    return v.value_or(std::string());
  }

  std::optional<std::string> optional_text(const char* key, std::size_t max_bytes) {
    const json* v = find(key);
    if (!ok() || v == nullptr || v->is_null())
      return std::nullopt;
    if (!v->is_string())
      return fail(std::string(key) + " is not a string"), std::nullopt;
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max_bytes)
      return fail(std::string(key) + " is too long"), std::nullopt;
    return s;
  }

  PeerId peer_id(const char* key) {
    PeerId id = text(key, 64);
    if (ok() && !validation::valid_peer_id(id))
      fail(std::string(key) + " is not a valid peer id");
    return id;
  }

  /// min_value is 1 for message seqs (numbering starts at 1) and 0 for cumulative acks.
  std::optional<msg::Seq> optional_seq(const char* key, msg::Seq min_value) {
    const json* v = find(key);
    if (!ok() || v == nullptr || v->is_null())
      return std::nullopt;
    if (!v->is_number_unsigned())
      return fail(std::string(key) + " is not a seq"), std::nullopt;
    const auto n = v->get<std::uint64_t>();
    if (n < min_value || n > kMaxSeq)
      return fail(std::string(key) + " out of range"), std::nullopt;
    return n;
  }

  msg::Seq seq(const char* key, msg::Seq min_value) {
    auto v = optional_seq(key, min_value);
    if (!v && ok())
      fail(std::string("missing ") + key);
    return v.value_or(0);
  }

  bool flag(const char* key) {
    const json* v = find(key);
    if (!ok() || v == nullptr || v->is_null())
      return false;
    if (!v->is_boolean())
      return fail(std::string(key) + " is not a boolean"), false;
    return v->get<bool>();
  }

  bool ok() const { return !error_; }
  void fail(std::string why) {
    if (!error_)
      error_ = std::move(why);
  }
  const std::string& error() const { return *error_; }

private:
  const json& o_;
  std::optional<std::string> error_;
};

// ---- payloads

std::optional<SignalPayload> decode_payload(Fields& outer, const Limits& limits) {
  const json* data = outer.find("data");
  if (data == nullptr || !data->is_object()) {
    outer.fail("data is not an object");
    return std::nullopt;
  }
  Fields f(*data);
  std::optional<SignalPayload> payload;
  if (const json* d = f.find("description")) {
    if (!d->is_object()) {
      outer.fail("description is not an object");
      return std::nullopt;
    }
    Fields df(*d);
    Description desc;
    desc.type = df.text("type", 16);
    // Read past the limit so check_description reports the size, not a generic "too long".
    desc.sdp = df.text("sdp", std::size_t{limits.max_sdp_bytes} + 1);
    if (!df.ok()) {
      outer.fail("description: " + df.error());
      return std::nullopt;
    }
    payload = std::move(desc);
  } else if (const json* c = f.find("candidate")) {
    if (c->is_null()) {
      payload = EndOfCandidates{};
    } else if (!c->is_object()) {
      outer.fail("candidate is not an object");
      return std::nullopt;
    } else {
      Fields cf(*c);
      Candidate cand;
      cand.candidate = cf.text("candidate", std::size_t{limits.max_candidate_bytes} + 1);
      cand.sdp_mid = cf.optional_text("sdpMid", 257);
      if (const json* idx = cf.find("sdpMLineIndex"); idx != nullptr && !idx->is_null()) {
        if (!idx->is_number_integer() || idx->get<std::int64_t>() < 0 ||
            idx->get<std::int64_t>() > 65535) {
          cf.fail("sdpMLineIndex is not a valid index");
        } else {
          cand.sdp_mline_index = static_cast<int>(idx->get<std::int64_t>());
        }
      }
      cand.username_fragment = cf.optional_text("usernameFragment", 257);
      if (!cf.ok()) {
        outer.fail("candidate: " + cf.error());
        return std::nullopt;
      }
      payload = std::move(cand);
    }
  } else {
    outer.fail("data has neither description nor candidate");
    return std::nullopt;
  }
  if (auto problem = validation::check_payload(*payload, limits)) {
    outer.fail(*problem);
    return std::nullopt;
  }
  return payload;
}

std::optional<msg::PeerEntry> decode_peer(const json& j, const Limits& limits, Fields& outer) {
  if (!j.is_object()) {
    outer.fail("peer is not an object");
    return std::nullopt;
  }
  Fields f(j);
  msg::PeerEntry p;
  p.id = f.peer_id("id");
  p.name = f.optional_text("name", std::size_t{limits.max_name_bytes} + 1).value_or("");
  if (f.ok()) {
    if (auto problem = validation::check_name(p.name, limits))
      f.fail(*problem);
  }
  if (!f.ok()) {
    outer.fail("peer: " + f.error());
    return std::nullopt;
  }
  return p;
}

/// Size limit, depth pre-scan, parse (frame_json), then "has a bounded string type" — shared by
/// both sides.
std::variant<json, msg::DecodeError> parse_frame(std::string_view frame, const Limits& limits) {
  auto parsed = json_object_frame(frame, limits, "frame");
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return std::move(*e);
  json& j = std::get<json>(parsed);
  auto t = j.find("type");
  if (t == j.end() || !t->is_string())
    return bad("frame has no type");
  if (t->get_ref<const std::string&>().size() > kMaxTypeBytes)
    return bad("type is too long");
  return std::move(j);
}

template <typename T> msg::Decoded<T> finish(Fields& f, T value) {
  if (!f.ok())
    return bad(f.error());
  return value;
}

} // namespace

// ---- client -> server

std::string encode_client(const msg::ClientMessage& m) {
  json j;
  if (const auto* join = std::get_if<msg::Join>(&m)) {
    j = {{"type", "join"}, {"room", join->room}, {"name", join->name}};
    if (join->resume)
      j["resume"] = *join->resume;
    if (join->secret)
      j["secret"] = *join->secret;
    if (join->last_seq)
      j["lastSeq"] = *join->last_seq;
  } else if (const auto* s = std::get_if<msg::SignalTo>(&m)) {
    j = {
        {"type", "signal"}, {"to", s->to}, {"seq", s->seq}, {"data", encode_canonical(s->payload)}};
  } else if (const auto* a = std::get_if<msg::AckOut>(&m)) {
    j = {{"type", "ack"}, {"seq", a->seq}};
  } else if (std::holds_alternative<msg::Ping>(m)) {
    j = {{"type", "ping"}};
  } else {
    j = {{"type", "leave"}};
  }
  return dump(j);
}

msg::Decoded<msg::ClientMessage> decode_client(std::string_view frame, const Limits& limits) {
  auto parsed = parse_frame(frame, limits);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return *e;
  const json& j = std::get<json>(parsed);
  const auto& type = j["type"].get_ref<const std::string&>();
  Fields f(j);
  if (type == "join") {
    msg::Join m;
    m.room = f.text("room", kMaxRoomBytes);
    if (f.ok() && m.room.empty())
      f.fail("room is empty");
    m.name = f.optional_text("name", std::size_t{limits.max_name_bytes} + 1).value_or("");
    if (f.ok()) {
      if (auto problem = validation::check_name(m.name, limits))
        f.fail(*problem);
    }
    m.resume = f.optional_text("resume", kMaxTokenBytes);
    m.secret = f.optional_text("secret", kMaxSecretBytes);
    m.last_seq = f.optional_seq("lastSeq", 0);
    return finish<msg::ClientMessage>(f, std::move(m));
  }
  if (type == "signal") {
    msg::SignalTo m;
    m.to = f.peer_id("to");
    m.seq = f.seq("seq", 1);
    if (f.ok()) {
      if (auto p = decode_payload(f, limits))
        m.payload = std::move(*p);
    }
    return finish<msg::ClientMessage>(f, std::move(m));
  }
  if (type == "ack") {
    msg::AckOut m;
    m.seq = f.seq("seq", 0);
    return finish<msg::ClientMessage>(f, m);
  }
  if (type == "ping")
    return msg::ClientMessage{msg::Ping{}};
  if (type == "leave")
    return msg::ClientMessage{msg::Leave{}};
  return bad("unknown client message type");
}

// ---- server -> client

std::string encode_server(const msg::ServerMessage& m) {
  json j;
  if (const auto* w = std::get_if<msg::Welcome>(&m)) {
    json peers = json::array();
    for (const auto& p : w->peers)
      peers.push_back({{"id", p.id}, {"name", p.name}});
    j = {{"type", "welcome"}, {"id", w->id}, {"room", w->room}, {"resumed", w->resumed}};
    if (w->resume)
      j["resume"] = *w->resume;
    if (w->ack)
      j["ack"] = *w->ack;
    if (w->restored)
      j["restored"] = true;
    if (w->secret)
      j["secret"] = *w->secret;
    if (w->rate)
      j["rate"] = {{"framesPerSec", w->rate->frames_per_sec}, {"burst", w->rate->burst}};
    j["peers"] = std::move(peers);
  } else if (const auto* pj = std::get_if<msg::PeerJoined>(&m)) {
    j = {{"type", "peer-joined"}, {"peer", {{"id", pj->peer.id}, {"name", pj->peer.name}}}};
    if (pj->seq)
      j["seq"] = *pj->seq;
  } else if (const auto* pl = std::get_if<msg::PeerLeft>(&m)) {
    j = {{"type", "peer-left"}, {"id", pl->id}, {"reason", pl->reason}};
    if (pl->seq)
      j["seq"] = *pl->seq;
  } else if (const auto* s = std::get_if<msg::Signal>(&m)) {
    j = {{"type", "signal"}, {"from", s->from}, {"data", encode_canonical(s->payload)}};
    if (s->seq)
      j["seq"] = *s->seq;
  } else if (const auto* a = std::get_if<msg::Ack>(&m)) {
    j = {{"type", "ack"}, {"seq", a->seq}};
  } else if (std::holds_alternative<msg::Pong>(m)) {
    j = {{"type", "pong"}};
  } else if (const auto* e = std::get_if<msg::ServerError>(&m)) {
    j = {{"type", "error"}, {"code", e->code}, {"message", e->message}, {"fatal", e->fatal}};
  } else {
    j = {{"type", std::get<msg::Unknown>(m).type}};
  }
  return dump(j);
}

msg::Decoded<msg::ServerMessage> decode_server(std::string_view frame, const Limits& limits) {
  // Candidates are most of what arrives: their usual form skips the DOM (native_fast.hpp).
  if (auto fast = fast_candidate_signal(frame, limits))
    return msg::ServerMessage{std::move(*fast)};
  return decode_server_dom(frame, limits);
}

msg::Decoded<msg::ServerMessage> decode_server_dom(std::string_view frame, const Limits& limits) {
  auto parsed = parse_frame(frame, limits);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return *e;
  const json& j = std::get<json>(parsed);
  const auto& type = j["type"].get_ref<const std::string&>();
  Fields f(j);
  if (type == "welcome") {
    msg::Welcome m;
    m.id = f.peer_id("id");
    m.room = f.text("room", kMaxRoomBytes);
    m.resume = f.optional_text("resume", kMaxTokenBytes);
    m.secret = f.optional_text("secret", kMaxSecretBytes);
    m.resumed = f.flag("resumed");
    m.restored = m.resumed && f.flag("restored");
    m.ack = f.optional_seq("ack", 0);
    if (f.ok()) {
      // Optional and advisory: a malformed rate is ignored rather than refusing the welcome.
      const json* rate = f.find("rate");
      if (rate != nullptr && rate->is_object()) {
        auto fps = rate->find("framesPerSec");
        auto burst = rate->find("burst");
        if (fps != rate->end() && fps->is_number_unsigned() && burst != rate->end() &&
            burst->is_number_unsigned()) {
          const auto r = fps->get<std::uint64_t>();
          const auto b = burst->get<std::uint64_t>();
          if (r >= 1 && r <= 1'000'000 && b >= 1 && b <= 1'000'000)
            m.rate = msg::Rate{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(b)};
        }
      }
      const json* peers = f.find("peers");
      if (peers != nullptr && !peers->is_null()) {
        if (!peers->is_array()) {
          f.fail("peers is not an array");
        } else {
          for (const auto& p : *peers) {
            auto entry = decode_peer(p, limits, f);
            if (!entry)
              break;
            m.peers.push_back(std::move(*entry));
          }
        }
      }
    }
    return finish<msg::ServerMessage>(f, std::move(m));
  }
  if (type == "peer-joined") {
    msg::PeerJoined m;
    m.seq = f.optional_seq("seq", 1);
    const json* peer = f.find("peer");
    if (f.ok()) {
      if (peer == nullptr) {
        f.fail("missing peer");
      } else if (auto entry = decode_peer(*peer, limits, f)) {
        m.peer = std::move(*entry);
      }
    }
    return finish<msg::ServerMessage>(f, std::move(m));
  }
  if (type == "peer-left") {
    msg::PeerLeft m;
    m.seq = f.optional_seq("seq", 1);
    m.id = f.peer_id("id");
    m.reason = f.optional_text("reason", kMaxReasonBytes).value_or("left");
    return finish<msg::ServerMessage>(f, std::move(m));
  }
  if (type == "signal") {
    msg::Signal m;
    m.seq = f.optional_seq("seq", 1);
    m.from = f.peer_id("from");
    if (f.ok()) {
      if (auto p = decode_payload(f, limits))
        m.payload = std::move(*p);
    }
    return finish<msg::ServerMessage>(f, std::move(m));
  }
  if (type == "ack") {
    msg::Ack m;
    m.seq = f.seq("seq", 0);
    return finish<msg::ServerMessage>(f, m);
  }
  if (type == "pong")
    return msg::ServerMessage{msg::Pong{}};
  if (type == "error") {
    msg::ServerError m;
    m.code = f.text("code", kMaxCodeBytes);
    m.message = f.optional_text("message", kMaxTextBytes).value_or("");
    m.fatal = f.flag("fatal");
    return finish<msg::ServerMessage>(f, std::move(m));
  }
  return msg::ServerMessage{msg::Unknown{type}};
}

std::string Native::socket_url(const Config& config,
                               const std::optional<std::string>& token) const {
  std::vector<std::pair<std::string, std::string>> params{{"room", config.room}};
  if (token && !token->empty())
    params.emplace_back("access_token", *token);
  return url::with_query(config.url, params);
}

} // namespace rtc_signaling::dialects::native

#include "dialects/signalr_protocol.hpp"

#include <utility>

#include "dialects/frame_json.hpp"
#include "dialects/json_text.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

constexpr std::size_t kMaxInvocationIdBytes = 64;
constexpr std::size_t kMaxTargetBytes = 128;
constexpr std::size_t kMaxErrorBytes = 1024;
constexpr std::size_t kMaxTokenBytes = 4096;
constexpr std::size_t kMaxUrlBytes = 2048;

msg::DecodeError bad(std::string why) {
  return msg::DecodeError{errc::bad_message, std::move(why)};
}

std::string record(const json& j) {
  std::string out = dump(j);
  out.push_back(kRecordSeparator);
  return out;
}

/// Size limit, depth pre-scan and parse into an object (frame_json): shared by the handshake,
/// messages and negotiate.
std::variant<json, msg::DecodeError> parse_object(std::string_view text, const Limits& limits) {
  return json_object_frame(text, limits, "record");
}

/// A string field: nullopt when absent or null, an error when present but not a bounded string.
std::variant<std::optional<std::string>, msg::DecodeError>
optional_string(const json& j, const char* key, std::size_t max_bytes) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    return std::optional<std::string>{};
  if (!it->is_string())
    return bad(std::string(key) + " is not a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_bytes)
    return bad(std::string(key) + " is too long");
  return std::optional<std::string>{s};
}

std::variant<std::int64_t, msg::DecodeError> sequence_id(const json& j) {
  auto it = j.find("sequenceId");
  if (it == j.end() || !it->is_number_integer())
    return bad("sequenceId is not an integer");
  const auto n = it->get<std::int64_t>();
  // JS numbers are exact up to 2^53; a negative id is never valid.
  if (n < 0 || n > (std::int64_t{1} << 53))
    return bad("sequenceId out of range");
  return n;
}

} // namespace

std::string dump(const json& j) {
  return dump_json_text(j);
}

RecordReader::Result RecordReader::push(std::string_view frame) {
  Result result;
  std::size_t start = 0;
  while (start < frame.size()) {
    const std::size_t end = frame.find(kRecordSeparator, start);
    if (end == std::string_view::npos) {
      partial_.append(frame.substr(start));
      if (partial_.size() > max_) {
        result.error = msg::DecodeError{errc::message_too_large,
                                        "unterminated record exceeds " + std::to_string(max_) +
                                            " bytes"};
        partial_.clear();
      }
      break;
    }
    std::string rec = std::move(partial_);
    partial_.clear();
    rec.append(frame.substr(start, end - start));
    // Empty records (a stray separator) carry nothing; skipping them is what the server does.
    if (!rec.empty())
      result.records.push_back(std::move(rec));
    start = end + 1;
  }
  return result;
}

bool trackable(const HubMessage& m) {
  if (std::holds_alternative<Invocation>(m) || std::holds_alternative<Completion>(m))
    return true;
  if (const auto* o = std::get_if<Other>(&m))
    return o->type == 2 || o->type == 4 || o->type == 5;
  return false;
}

msg::Decoded<HandshakeResponse> parse_handshake_response(std::string_view text,
                                                         const Limits& limits) {
  auto parsed = parse_object(text, limits);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return *e;
  const json& j = std::get<json>(parsed);
  auto error = optional_string(j, "error", kMaxErrorBytes);
  if (auto* e = std::get_if<msg::DecodeError>(&error))
    return *e;
  return HandshakeResponse{std::get<std::optional<std::string>>(error)};
}

msg::Decoded<HubMessage> parse_message(std::string_view text, const Limits& limits) {
  auto parsed = parse_object(text, limits);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return *e;
  const json& j = std::get<json>(parsed);
  auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_number_integer())
    return bad("record has no numeric type");
  const auto type = type_it->get<std::int64_t>();

  switch (type) {
  case 1: {
    Invocation m;
    auto id = optional_string(j, "invocationId", kMaxInvocationIdBytes);
    if (auto* e = std::get_if<msg::DecodeError>(&id))
      return *e;
    m.invocation_id = std::get<std::optional<std::string>>(id);
    auto target = optional_string(j, "target", kMaxTargetBytes);
    if (auto* e = std::get_if<msg::DecodeError>(&target))
      return *e;
    if (!std::get<std::optional<std::string>>(target))
      return bad("invocation has no target");
    m.target = *std::get<std::optional<std::string>>(target);
    auto args = j.find("arguments");
    if (args != j.end() && !args->is_null()) {
      if (!args->is_array())
        return bad("arguments is not an array");
      m.arguments = *args;
    }
    return HubMessage{std::move(m)};
  }
  case 3: {
    Completion m;
    auto id = optional_string(j, "invocationId", kMaxInvocationIdBytes);
    if (auto* e = std::get_if<msg::DecodeError>(&id))
      return *e;
    if (!std::get<std::optional<std::string>>(id))
      return bad("completion has no invocationId");
    m.invocation_id = *std::get<std::optional<std::string>>(id);
    auto error = optional_string(j, "error", kMaxErrorBytes);
    if (auto* e = std::get_if<msg::DecodeError>(&error))
      return *e;
    m.error = std::get<std::optional<std::string>>(error);
    if (auto r = j.find("result"); r != j.end()) {
      if (m.error)
        return bad("completion carries both result and error");
      m.result = *r;
    }
    return HubMessage{std::move(m)};
  }
  case 6:
    return HubMessage{Ping{}};
  case 7: {
    Close m;
    auto error = optional_string(j, "error", kMaxErrorBytes);
    if (auto* e = std::get_if<msg::DecodeError>(&error))
      return *e;
    m.error = std::get<std::optional<std::string>>(error);
    if (auto r = j.find("allowReconnect"); r != j.end() && !r->is_null()) {
      if (!r->is_boolean())
        return bad("allowReconnect is not a boolean");
      m.allow_reconnect = r->get<bool>();
    }
    return HubMessage{std::move(m)};
  }
  case 8:
  case 9: {
    auto n = sequence_id(j);
    if (auto* e = std::get_if<msg::DecodeError>(&n))
      return *e;
    if (type == 8)
      return HubMessage{Ack{std::get<std::int64_t>(n)}};
    return HubMessage{Sequence{std::get<std::int64_t>(n)}};
  }
  default:
    if (type < 1 || type > 1000)
      return bad("record type out of range");
    return HubMessage{Other{static_cast<int>(type)}};
  }
}

std::string handshake_request(int version) {
  return record({{"protocol", "json"}, {"version", version}});
}

std::string invocation(const std::optional<std::string>& invocation_id, const std::string& target,
                       const json& arguments) {
  json j = {{"type", 1}};
  if (invocation_id)
    j["invocationId"] = *invocation_id;
  j["target"] = target;
  j["arguments"] = arguments;
  return record(j);
}

std::string completion_error(const std::string& invocation_id, const std::string& error) {
  return record({{"type", 3}, {"invocationId", invocation_id}, {"error", error}});
}

std::string ping() {
  return record({{"type", 6}});
}
std::string ack(std::int64_t sequence_id) {
  return record({{"type", 8}, {"sequenceId", sequence_id}});
}
std::string sequence(std::int64_t sequence_id) {
  return record({{"type", 9}, {"sequenceId", sequence_id}});
}
std::string close() {
  return record({{"type", 7}});
}

std::string negotiate_url(std::string_view hub_url) {
  std::string base(hub_url);
  std::string query;
  if (auto hash = base.find('#'); hash != std::string::npos)
    base.erase(hash);
  if (auto q = base.find('?'); q != std::string::npos) {
    query = base.substr(q + 1);
    base.erase(q);
  }
  if (base.empty() || base.back() != '/')
    base.push_back('/');
  base += "negotiate?negotiateVersion=1&useStatefulReconnect=true";
  if (!query.empty())
    base += "&" + query;
  return base;
}

NegotiateResponse parse_negotiate(std::string_view body) {
  Limits limits;
  auto parsed = parse_object(body, limits);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return NegotiateFailed{"negotiate response: " + e->message};
  const json& j = std::get<json>(parsed);

  auto error = optional_string(j, "error", kMaxErrorBytes);
  if (auto* e = std::get_if<msg::DecodeError>(&error))
    return NegotiateFailed{"negotiate response: " + e->message};
  if (auto& text = std::get<std::optional<std::string>>(error))
    return NegotiateFailed{"the server refused to negotiate: " + *text};

  auto url = optional_string(j, "url", kMaxUrlBytes);
  if (auto* e = std::get_if<msg::DecodeError>(&url))
    return NegotiateFailed{"negotiate response: " + e->message};
  if (auto& target = std::get<std::optional<std::string>>(url)) {
    auto token = optional_string(j, "accessToken", kMaxTokenBytes);
    if (auto* e = std::get_if<msg::DecodeError>(&token))
      return NegotiateFailed{"negotiate response: " + e->message};
    if (target->rfind("http://", 0) != 0 && target->rfind("https://", 0) != 0)
      return NegotiateFailed{"negotiate redirect is not an http(s) URL"};
    return Redirect{*target, std::get<std::optional<std::string>>(token)};
  }

  // negotiateVersion 0 servers only send connectionId, which then doubles as the token.
  auto token = optional_string(j, "connectionToken", kMaxTokenBytes);
  if (auto* e = std::get_if<msg::DecodeError>(&token))
    return NegotiateFailed{"negotiate response: " + e->message};
  auto id = optional_string(j, "connectionId", kMaxTokenBytes);
  if (auto* e = std::get_if<msg::DecodeError>(&id))
    return NegotiateFailed{"negotiate response: " + e->message};
  std::optional<std::string> connection = std::get<std::optional<std::string>>(token);
  if (!connection)
    connection = std::get<std::optional<std::string>>(id);
  if (!connection || connection->empty())
    return NegotiateFailed{"negotiate response has no connectionToken"};

  if (auto transports = j.find("availableTransports");
      transports != j.end() && transports->is_array()) {
    bool websockets = false;
    for (const auto& t : *transports) {
      if (t.is_object()) {
        auto name = t.find("transport");
        if (name != t.end() && name->is_string() && name->get<std::string>() == "WebSockets")
          websockets = true;
      }
    }
    if (!websockets)
      return NegotiateFailed{"the hub does not offer the WebSockets transport"};
  }
  bool stateful = false;
  if (auto s = j.find("useStatefulReconnect"); s != j.end() && s->is_boolean())
    stateful = s->get<bool>();
  Negotiated negotiated{*connection, std::nullopt, stateful};
  if (auto& public_id = std::get<std::optional<std::string>>(id);
      public_id && validation::valid_peer_id(*public_id))
    negotiated.connection_id = *public_id;
  return negotiated;
}

std::string to_ws(std::string_view http_url) {
  if (http_url.rfind("https://", 0) == 0)
    return "wss://" + std::string(http_url.substr(8));
  if (http_url.rfind("http://", 0) == 0)
    return "ws://" + std::string(http_url.substr(7));
  return std::string(http_url);
}

} // namespace rtc_signaling::dialects::signalr

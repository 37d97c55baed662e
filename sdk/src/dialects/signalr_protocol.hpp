// The SignalR JSON hub protocol and the negotiate exchange (aspnetcore HubProtocol.md,
// TransportProtocols.md), as pure functions: record framing, message parsing and encoding.
// Connection state (handshake, sequence ids, replay) lives in signalr.cpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "messages.hpp"
#include "rtc_signaling/config.hpp"

namespace rtc_signaling::dialects::signalr {

using json = nlohmann::json;

/// Every JSON record, the handshake included, ends with the ASCII record separator.
inline constexpr char kRecordSeparator = '\x1e';

/// Reassembles records from WebSocket frames: a frame may carry several records, or a record may
/// be split over several frames.
class RecordReader {
public:
  explicit RecordReader(std::size_t max_record_bytes) : max_(max_record_bytes) {}

  struct Result {
    std::vector<std::string> records;
    /// Set when an unterminated record outgrew the limit; the partial record is discarded.
    std::optional<msg::DecodeError> error;
  };
  Result push(std::string_view frame);
  void reset() { partial_.clear(); }
  std::size_t buffered() const { return partial_.size(); }

private:
  std::size_t max_;
  std::string partial_;
};

// ---- server -> client messages

struct HandshakeResponse {
  std::optional<std::string> error;
};
struct Invocation {
  std::optional<std::string> invocation_id;
  std::string target;
  json arguments = json::array();
};
struct Completion {
  std::string invocation_id;
  std::optional<std::string> error;
  std::optional<json> result;
};
struct Ping {};
struct Close {
  std::optional<std::string> error;
  bool allow_reconnect = false;
};
struct Ack {
  std::int64_t sequence_id = 0;
};
struct Sequence {
  std::int64_t sequence_id = 0;
};
/// StreamItem (2), StreamInvocation (4), CancelInvocation (5) and types from later versions:
/// none of our contracts uses them, but the trackable ones still count for sequence ids.
struct Other {
  int type = 0;
};

using HubMessage = std::variant<Invocation, Completion, Ping, Close, Ack, Sequence, Other>;

/// True for the message types that carry a sequence id under stateful reconnect.
bool trackable(const HubMessage& m);

msg::Decoded<HandshakeResponse> parse_handshake_response(std::string_view record,
                                                         const Limits& limits);
msg::Decoded<HubMessage> parse_message(std::string_view record, const Limits& limits);

// ---- client -> server records (each already terminated by the record separator)

/// Version 2 of the JSON protocol adds Ack and Sequence; ASP.NET Core enables stateful reconnect
/// only for clients that ask for it, and servers older than 8.0 only speak version 1.
std::string handshake_request(int version = 1);
std::string invocation(const std::optional<std::string>& invocation_id, const std::string& target,
                       const json& arguments);
std::string completion_error(const std::string& invocation_id, const std::string& error);
std::string ping();
std::string ack(std::int64_t sequence_id);
std::string sequence(std::int64_t sequence_id);
std::string close();

/// Serialises JSON without throwing on invalid UTF-8 (em++ builds have no exceptions).
std::string dump(const json& j);

// ---- negotiate

struct Negotiated {
  std::string connection_token;
  /// The hub's Context.ConnectionId: what other clients of the hub see as our id.
  std::optional<std::string> connection_id;
  bool stateful_reconnect = false;
};
struct Redirect {
  std::string url;
  std::optional<std::string> access_token;
};
struct NegotiateFailed {
  std::string message;
};
using NegotiateResponse = std::variant<Negotiated, Redirect, NegotiateFailed>;

/// `POST <hub>/negotiate?negotiateVersion=1&useStatefulReconnect=true` for an http(s) hub URL.
std::string negotiate_url(std::string_view hub_url);
NegotiateResponse parse_negotiate(std::string_view body);

/// http(s):// -> ws(s)://; anything else unchanged.
std::string to_ws(std::string_view http_url);

} // namespace rtc_signaling::dialects::signalr

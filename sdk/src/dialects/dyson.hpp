// The `dyson` dialect: calls inside the chat rooms of a DysonNetwork-style chat server
// (README.md#use-with-a-dysonnetwork-chat-server, docs/ARCHITECTURE.md#dialects).
//
// The server: GET {url}/{chatId}?tk=<account token> upgraded to a WebSocket (401/403/404/400 as
// plain HTTP answers before the upgrade). Every packet is an envelope {type, data, endpoint,
// error_message}, snake_case:
//   welcome   {"type":"webrtc","data":{"user_id":A,"room_id":R,"participants":[...]}}
//   joined    {"type":"user-joined","data":{...}}  (first socket of an account; also echoed to it)
//   ours      {"type":"webrtc.signal","data":{"type":T,"data":D,"to":A|null}}
//   relayed   {"type":"webrtc.signal","data":{"type":T,"data":D,"to":A|null,"account_id":A',
//              "account":{"id","name","nick",...}}}   account_id/account set by the server
// With `to` the server relays to every socket of that account but the sender's; without it to
// everyone in the room, the sender included. It never announces a leave.
//
// Identity is the account, and one account may have several sockets (tabs), so every SDK
// instance draws a device id and a peer is `<account id>:<device>`. The inner `data` D is the
// browser's own object plus our routing fields:
//   offer/answer  {"type":"offer","sdp":...,"rtcSignaling":1,"device":d,"toDevice":d'}
//   candidate     {"candidate":...,"sdpMid":...,"sdpMLineIndex":...,"usernameFragment":...,
//                  "rtcSignaling":1,"device":d,"toDevice":d'}  (candidate "" ends candidates)
//   presence      T = "rtc-signaling.presence", D = {"kind":K,"rtcSignaling":1,"device":d,
//                  "toDevice"?:d'}  K: hello (to everyone when welcomed), here (the reply, to the
//                  newcomer), beat (to everyone, the heartbeat), bye (to everyone, on close)
// Names come from the server's `account` (nick, else name), never from a peer's claim. Our own
// broadcasts come back and are ignored (they prove the server alive); a signal for another tab
// of our account is ignored. A peer silent for kMissedBeats beats is gone (`timeout`).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialects/dialect.hpp"
#include "dialects/presence.hpp"

namespace rtc_signaling::dialects::dyson {

/// Heartbeat (the session's ping) interval unless the app sets pingIntervalMs.
constexpr std::uint32_t kDefaultBeatMs = 5'000;
/// A peer is gone (peer-left `timeout`) after this many beat intervals without a frame from it.
constexpr int kMissedBeats = 3;
/// The envelope type of presence; signals use offer, answer and candidate.
constexpr const char* kPresenceType = "rtc-signaling.presence";

/// Eight hex digits from the config's 64-bit seed (crypto.getRandomValues in the browser).
std::string make_device(std::uint64_t seed);
/// A chat id as the server routes it: a GUID, 8-4-4-4-12 hex digits.
bool is_chat_id(std::string_view room) noexcept;

class Dyson final : public Dialect {
public:
  explicit Dyson(const Config& config);

  const char* name() const noexcept override { return "dyson"; }
  std::string socket_url(const Config& config,
                         const std::optional<std::string>& token) const override;
  bool acknowledges() const noexcept override { return false; }
  /// The server says nothing of its own after the welcome, but it echoes our broadcasts (beats
  /// included), so a server silent for serverTimeoutMs is gone.
  bool server_heartbeats() const noexcept override { return true; }
  std::optional<std::string> config_problem(const Config& config) const override;
  std::optional<Fail> refusal(int status, const Config& config) const override;

  std::string encode(const msg::ClientMessage& m) const override;
  /// One frame without presence state (a relayed signal for us, or Unknown).
  msg::Decoded<msg::ServerMessage> decode(std::string_view frame) const override;

  Step begin_attempt(const Config& config, const std::optional<std::string>& token) override;
  std::vector<std::string> encode_all(const msg::ClientMessage& m) override;
  std::vector<msg::Decoded<msg::ServerMessage>> decode_all(std::string_view frame) override;
  std::vector<std::string> take_frames() override;
  std::vector<msg::Decoded<msg::ServerMessage>> take_messages() override;
  void advance(TimeMs now) override { book_.advance(now); }
  void socket_closed() override { book_.socket_closed(); }
  std::optional<TimeMs> next_deadline() const override { return book_.next_deadline(); }
  void on_timeout(TimeMs now) override;

  const std::string& device() const { return device_; }
  /// `<account id>:<device>` once welcomed, empty before.
  const PeerId& self_id() const { return self_; }

private:
  struct Relayed; // one parsed webrtc.signal packet from someone else

  std::string envelope(const std::string& type, std::string data_json,
                       const std::string& to_account) const;
  std::string presence(const char* kind, const PeerId& to) const;
  std::vector<msg::Decoded<msg::ServerMessage>> on_welcome(const nlohmann::json& data);
  std::vector<msg::Decoded<msg::ServerMessage>> on_relayed(const Relayed& r);

  Limits limits_;
  std::string room_;
  std::string device_;
  std::string account_;
  PeerId self_;
  TimeMs beat_ms_;
  TimeMs last_broadcast_ = 0;
  PresenceBook book_;
  std::vector<std::string> frames_;
  std::vector<msg::Decoded<msg::ServerMessage>> messages_;
};

} // namespace rtc_signaling::dialects::dyson

// The `relay` dialect: the plain broadcast WebSocket servers of the WebRTC tutorials, which
// forward every `offer`, `answer` and `candidate` frame to every other socket and say nothing of
// their own (README.md#dialects, docs/ARCHITECTURE.md#dialects).
//
// Such a server keeps only the fields type, offer|answer|candidate, from and to, so everything
// the SDK needs travels inside those three types:
//   signals   {"type":"offer"|"answer","offer"|"answer":{type,sdp},"from":me,"to":peer}
//             {"type":"candidate","candidate":{candidate,sdpMid,sdpMLineIndex,usernameFragment}
//              | null,"from":me,"to":peer}          the shapes a hand-written client sends
//   presence  {"type":"candidate","candidate":{"rtcSignaling":{"v":1,"kind":K,"room":R,
//              "name":N}},"from":me,"to":"*"|peer}  K: hello (on join, to "*"), here (the reply,
//              to the newcomer), beat (the heartbeat, to "*"), bye (on leave, to "*")
// A presence frame carries no `candidate` string and a `to` no client has ("*" is not a valid
// id), so a tutorial client that answers what is addressed to it never acts on one.
//
// The client picks its own id. The server never speaks, so the session's welcome is made here
// when the socket opens, presence is kept here (a peer silent for kMissedBeats heartbeats is
// gone), and no server timeout applies. Every frame on the relay reaches every client: frames
// addressed to someone else and presence from other rooms are ignored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dialects/dialect.hpp"
#include "dialects/presence.hpp"

namespace rtc_signaling::dialects::relay {

/// Heartbeat (the session's ping) interval unless the app sets pingIntervalMs.
constexpr std::uint32_t kDefaultBeatMs = 5'000;
/// A peer is gone (peer-left `timeout`) after this many heartbeat intervals without a frame.
constexpr int kMissedBeats = 3;
/// The broadcast address of presence frames; never a valid peer id.
constexpr const char* kEveryone = "*";

/// A random id valid as a peer id ("rs-" + 16 hex digits from the config's 64-bit seed, which
/// the JS layer draws from crypto.getRandomValues).
PeerId make_id(std::uint64_t seed);

class Relay final : public Dialect {
public:
  explicit Relay(const Config& config);

  const char* name() const noexcept override { return "relay"; }
  std::string socket_url(const Config& config,
                         const std::optional<std::string>& token) const override;
  bool acknowledges() const noexcept override { return false; }
  bool server_heartbeats() const noexcept override { return false; }
  std::string encode(const msg::ClientMessage& m) const override;
  /// One frame without presence state: a signal addressed to us, or Unknown.
  msg::Decoded<msg::ServerMessage> decode(std::string_view frame) const override;

  Step begin_attempt(const Config& config, const std::optional<std::string>& token) override;
  std::vector<std::string> encode_all(const msg::ClientMessage& m) override;
  std::vector<msg::Decoded<msg::ServerMessage>> decode_all(std::string_view frame) override;
  std::vector<std::string> take_frames() override;
  std::vector<msg::Decoded<msg::ServerMessage>> take_messages() override;
  void advance(TimeMs now) override { book_.advance(now); }
  void socket_closed() override { book_.socket_closed(); }
  std::optional<TimeMs> next_deadline() const override;
  void on_timeout(TimeMs now) override;

  const PeerId& self_id() const { return self_; }
  TimeMs peer_timeout_ms() const { return book_.timeout_ms(); }

private:
  std::string presence(const char* kind, const std::string& to) const;

  Limits limits_;
  std::string room_;
  std::string name_;
  PeerId self_;
  PresenceBook book_;
  std::vector<std::string> frames_;
  std::vector<msg::Decoded<msg::ServerMessage>> messages_;
};

} // namespace rtc_signaling::dialects::relay

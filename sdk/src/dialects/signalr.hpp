// The `signalr` dialect (README.md#use-with-an-existing-signalr-hub): an ASP.NET Core SignalR hub over WebSockets with the JSON
// hub protocol. This class is the client side of one logical hub connection:
//
//   begin_attempt ─▶ POST negotiate (redirects followed) ─▶ socket ?id=<connectionToken>
//   socket open   ─▶ handshake {"protocol":"json","version":1}  ─▶ {} ─▶ contract join
//   socket lost   ─▶ with stateful reconnect: same id, Sequence + replay of unacked invocations,
//                    the server's Sequence ─▶ Welcome{resumed} with the roster as we knew it;
//                    a failed resume falls back to a fresh negotiate on the next attempt.
//
// What a hub contract means (room / signalrtc / ekobit) lives in signalr_contracts.hpp.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dialects/dialect.hpp"
#include "dialects/signalr_contracts.hpp"
#include "dialects/signalr_protocol.hpp"

namespace rtc_signaling::dialects::signalr {

/// Redirect chains longer than this are a loop (the official client stops at 100 too).
inline constexpr int kMaxRedirects = 100;

class SignalR final : public Dialect {
public:
  explicit SignalR(const Config& config);

  const char* name() const noexcept override { return "signalr"; }
  std::string socket_url(const Config& config,
                         const std::optional<std::string>& token) const override;
  /// Replay is done here, by SignalR sequence ids, not by the session's outbox.
  bool acknowledges() const noexcept override { return false; }
  /// snaprtc needs to know which side of the session it is.
  std::optional<std::string> config_problem(const Config& config) const override;
  /// The signalrtc hub never tells a client its own id; without negotiate we cannot know it.
  negotiation::Policy negotiation_policy() const noexcept override;
  /// Stateless view for tests and fuzzers: the records `m` becomes on an established
  /// connection, without invocation or sequence ids.
  std::string encode(const msg::ClientMessage& m) const override;
  /// Stateless view: the first complete record of `frame`, translated by the contract.
  msg::Decoded<msg::ServerMessage> decode(std::string_view frame) const override;

  Step begin_attempt(const Config& config, const std::optional<std::string>& token) override;
  Step on_http_response(int status, const std::string& body) override;
  std::vector<std::string> encode_all(const msg::ClientMessage& m) override;
  std::vector<msg::Decoded<msg::ServerMessage>> decode_all(std::string_view frame) override;
  std::vector<std::string> take_frames() override;
  void socket_closed() override;
  bool invokes() const noexcept override { return true; }
  void invoke(std::uint32_t id, const std::string& method, const std::string& arguments) override;
  std::vector<output::HubResult> take_results() override;

  // Introspection for tests.
  bool stateful() const { return stateful_; }
  const std::optional<std::string>& connection_token() const { return connection_token_; }
  std::size_t unacknowledged() const { return replay_.size(); }

  static constexpr std::size_t kMaxPendingInvocations = 256;
  static constexpr std::size_t kMaxReplay = 1024;

private:
  enum class Mode { fresh, resuming };

  void reset_connection();
  Step negotiate();
  std::string ws_url(bool with_id) const;
  /// An invocation in flight: one of the contract's (`join` or not) or the app's (`app`).
  struct Pending {
    bool join = false;
    std::optional<std::uint32_t> app;
  };
  std::string send_call(const Call& call, std::optional<std::uint32_t> app = std::nullopt);
  /// The app's invocations that cannot be answered any more.
  void drop_app_invocations(const char* why);
  void handle_record(const std::string& record,
                     std::vector<msg::Decoded<msg::ServerMessage>>& out);
  void handle_message(HubMessage& m, std::vector<msg::Decoded<msg::ServerMessage>>& out);
  void deliver(Translated t, std::vector<msg::Decoded<msg::ServerMessage>>& out);
  void mirror(const msg::ServerMessage& m);
  bool refuse_newcomer(const PeerId& id) const;
  void settle_who_calls(msg::PeerJoined& joined);

  Config config_;
  std::unique_ptr<Contract> contract_;
  RecordReader reader_;

  // Negotiate.
  std::string hub_url_;                     ///< http(s) form, replaced by redirects
  std::optional<std::string> token_;        ///< the app's token for this attempt
  std::optional<std::string> redirect_token_;
  int redirects_ = 0;

  // The logical hub connection.
  std::optional<std::string> connection_token_;
  bool stateful_ = false;
  bool established_ = false;  ///< a handshake succeeded on this connection
  bool resume_tried_ = false; ///< one resume per loss; failing it means renegotiating
  Mode mode_ = Mode::fresh;
  bool handshake_pending_ = false;
  bool awaiting_sequence_ = false;
  std::optional<msg::Join> pending_join_;
  std::uint64_t next_invocation_ = 1;
  /// id -> is the join call. Bounded by kMaxPendingInvocations: a hub that never completes our
  /// invocations costs nothing but the oldest entries (their errors go unreported).
  std::map<std::uint64_t, Pending> pending_invocations_;
  std::vector<output::HubResult> results_;

  // Stateful reconnect (HubProtocol.md "Stateful Reconnect").
  std::int64_t out_seq_ = 0;                                   ///< last trackable id sent
  std::deque<std::pair<std::int64_t, std::string>> replay_;    ///< sent, not yet acked
  /// replay_ hit kMaxReplay and lost its oldest records: a stateful resume could no longer be
  /// lossless, so the next attempt negotiates a new connection instead.
  bool replay_overflowed_ = false;
  bool roster_full_reported_ = false; ///< one roster-full error per episode
  /// signalrtc: peers whose NewUserArrived came on this connection (we said hello to them).
  std::set<PeerId> greeted_;
  std::int64_t in_next_ = 1;      ///< id the next incoming trackable message carries
  std::int64_t in_processed_ = 0; ///< highest incoming id delivered
  std::int64_t in_acked_ = 0;     ///< highest id we acknowledged

  // What the session knows, to rebuild its Welcome after a resume.
  PeerId self_id_;
  /// This hub connection has joined the room (a Welcome came on it); a resume keeps it.
  bool joined_ = false;
  /// What contracts are told of our id: empty until this connection joined.
  PeerId joined_id() const { return joined_ ? self_id_ : PeerId{}; }
  /// Context.ConnectionId from the last negotiate; unknown with skipNegotiation.
  std::optional<PeerId> connection_id_;
  std::map<PeerId, std::string> roster_;

  std::vector<std::string> frames_; ///< frames of our own (acks, replies, deferred join)
};

} // namespace rtc_signaling::dialects::signalr

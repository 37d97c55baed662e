// What the session needs from a signaling dialect (docs/ARCHITECTURE.md#dialects): the socket URL, a codec between
// frames and msg:: types, and whether the server acknowledges our reliable messages. Handshakes
// that need more than "open socket, send Join, wait for Welcome" (SignalR negotiate) extend this.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "messages.hpp"
#include "negotiation/policy.hpp"
#include "rtc_signaling/config.hpp"
#include "rtc_signaling/error.hpp"
#include "rtc_signaling/output.hpp"

namespace rtc_signaling::dialects {

class Dialect {
public:
  virtual ~Dialect() = default;

  virtual const char* name() const noexcept = 0;
  /// The URL for OpenSocket (and, through url::to_http, for the endpoint probe).
  virtual std::string socket_url(const Config& config,
                                 const std::optional<std::string>& token) const = 0;
  /// True when the server acks client seqs, so the outbox keeps sent signals until acked.
  virtual bool acknowledges() const noexcept = 0;
  /// Who is polite on each connection (negotiation/policy.hpp). It may depend on what the
  /// handshake revealed (SignalR knows the own id only after negotiate), so it is asked each
  /// time a connection is created.
  virtual negotiation::Policy negotiation_policy() const noexcept {
    return negotiation::Policy::perfect_by_id;
  }

  /// False when the server never sends anything of its own (relay): then only the socket's
  /// close tells that it is gone, and no server timeout is armed once the socket is open.
  virtual bool server_heartbeats() const noexcept { return true; }

  /// What is wrong with the config for this dialect (dyson: the room must be a chat id), if
  /// anything; the session reports it as a fatal `invalid-config`.
  virtual std::optional<std::string> config_problem(const Config&) const { return std::nullopt; }

  virtual std::string encode(const msg::ClientMessage& m) const = 0;
  /// Size-limits, depth-checks, parses and schema-checks one frame. Never throws.
  virtual msg::Decoded<msg::ServerMessage> decode(std::string_view frame) const = 0;

  // ---- Stateful hooks. The defaults describe a stateless codec (native); signalr overrides them.

  /// Open the socket at `url`.
  struct Connect { std::string url; };
  /// Perform this HTTP request first (the session assigns its id), then on_http_response.
  struct Request { output::HttpRequest request; };
  /// Give up this attempt: fatal ends the session, otherwise the session backs off and retries.
  struct Fail { const char* code = errc::server_error; std::string message; bool fatal = false; };
  using Step = std::variant<Connect, Request, Fail>;

  /// Called before every connection attempt.
  virtual Step begin_attempt(const Config& config, const std::optional<std::string>& token) {
    return Connect{socket_url(config, token)};
  }
  /// The answer to the last Request.
  virtual Step on_http_response(int status, const std::string& body) {
    return Fail{errc::server_error,
                "unexpected HTTP response " + std::to_string(status) + " (" +
                    std::to_string(body.size()) + " bytes)",
                false};
  }
  /// What an HTTP status from the probe of a socket that never opened means, when this dialect's
  /// server says more by it than the defaults (401 unauthorized, 403 forbidden, else retry).
  virtual std::optional<Fail> refusal(int /*status*/, const Config&) const { return std::nullopt; }
  /// Frames for one outgoing message: none, one or several.
  virtual std::vector<std::string> encode_all(const msg::ClientMessage& m) { return {encode(m)}; }
  /// Messages in one incoming frame (a frame may carry several records, or part of one).
  virtual std::vector<msg::Decoded<msg::ServerMessage>> decode_all(std::string_view frame) {
    return {decode(frame)};
  }
  /// Frames the dialect wants sent on its own (acks, replies); drained after every input.
  virtual std::vector<std::string> take_frames() { return {}; }
  /// Messages the dialect made without a frame (relay: the welcome when the socket opens,
  /// peer-left when presence expires); drained after every input, like decoded ones.
  virtual std::vector<msg::Decoded<msg::ServerMessage>> take_messages() { return {}; }

  // ---- Time, for dialects that keep deadlines of their own (relay presence).

  /// Called with the time of every input before it is handled.
  virtual void advance(TimeMs) {}
  /// The session's socket is gone (closed, lost or replaced).
  virtual void socket_closed() {}

  // ---- The app's own hub invocations (signalr only).

  virtual bool invokes() const noexcept { return false; }
  /// Called only when invokes() and the session is open; frames go out through take_frames().
  virtual void invoke(std::uint32_t /*id*/, const std::string& /*method*/,
                      const std::string& /*arguments*/) {}
  /// Answers to invoke(), drained after every input.
  virtual std::vector<output::HubResult> take_results() { return {}; }
  virtual std::optional<TimeMs> next_deadline() const { return std::nullopt; }
  virtual void on_timeout(TimeMs) {}
};

std::unique_ptr<Dialect> make_dialect(const Config& config);

} // namespace rtc_signaling::dialects

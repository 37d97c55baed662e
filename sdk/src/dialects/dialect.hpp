// What the session needs from a signaling dialect (DESIGN §4): the socket URL, a codec between
// frames and msg:: types, and whether the server acknowledges our reliable messages. Handshakes
// that need more than "open socket, send Join, wait for Welcome" (SignalR negotiate) extend this.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "messages.hpp"
#include "rtc_signaling/config.hpp"

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

  virtual std::string encode(const msg::ClientMessage& m) const = 0;
  /// Size-limits, depth-checks, parses and schema-checks one frame. Never throws.
  virtual msg::Decoded<msg::ServerMessage> decode(std::string_view frame) const = 0;
};

std::unique_ptr<Dialect> make_dialect(const Config& config);

} // namespace rtc_signaling::dialects

// Named deadlines of the session (docs/ARCHITECTURE.md#the-cores-contract). The embedder keeps a single timer at the earliest
// one; a table keeps "what is pending" inspectable and the minimum a single loop.
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "rtc_signaling/types.hpp"

namespace rtc_signaling::core {

enum class Timer : std::size_t {
  connect,        ///< connect_timeout_ms since Join without ever reaching open
  retry,          ///< next reconnect attempt
  token,          ///< waiting for TokenProvided
  probe,          ///< waiting for the HttpResponse of an endpoint probe
  ping,           ///< ping_interval_ms since the last outgoing frame
  server_timeout, ///< server_timeout_ms since the last incoming frame
  stable,         ///< open long enough to reset the reconnect counter
  ack,            ///< flush a batched cumulative ack
  returning,      ///< earliest deadline of a peer missing after a server restart
  pacing,         ///< the advertised rate allows the next queued signal
  park,           ///< until-connected: every peer settled long enough to close the socket
  count_
};

class Timers {
public:
  void set(Timer t, TimeMs at) noexcept { deadlines_[index(t)] = at; }
  void clear(Timer t) noexcept { deadlines_[index(t)].reset(); }
  std::optional<TimeMs> get(Timer t) const noexcept { return deadlines_[index(t)]; }
  bool armed(Timer t) const noexcept { return deadlines_[index(t)].has_value(); }
  /// True (and disarms it) when t is armed and due at `now`.
  bool take_due(Timer t, TimeMs now) noexcept;
  std::optional<TimeMs> next() const noexcept;
  void clear_all() noexcept { deadlines_.fill(std::nullopt); }

private:
  static constexpr std::size_t index(Timer t) noexcept { return static_cast<std::size_t>(t); }
  std::array<std::optional<TimeMs>, static_cast<std::size_t>(Timer::count_)> deadlines_{};
};

} // namespace rtc_signaling::core

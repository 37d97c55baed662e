// Reconnect delays (docs/ARCHITECTURE.md#the-session): attempt 1 after 0 ms, then full jitter
// delay = uniform(0, min(max_delay_ms, initial_delay_ms * 2^(attempt-1))).
// Full jitter (rather than equal or decorrelated jitter) spreads a whole room that lost the same
// server across the window, so a restarted server is not hit by every client at once.
#pragma once

#include <cstdint>

#include "random.hpp"
#include "rtc_signaling/config.hpp"

namespace rtc_signaling::core {

class Backoff {
public:
  Backoff(const ReconnectPolicy& policy, std::uint64_t seed) noexcept
      : policy_(policy), random_(seed) {}

  /// Counts one more attempt and returns its delay.
  std::uint32_t next_delay() noexcept;
  /// The upper bound of the delay for a given attempt (attempt >= 1).
  std::uint32_t ceiling(std::uint32_t attempt) const noexcept;

  std::uint32_t attempt() const noexcept { return attempt_; }
  /// True when max_attempts is set and has been used up.
  bool exhausted() const noexcept {
    return policy_.max_attempts != 0 && attempt_ >= policy_.max_attempts;
  }
  void reset() noexcept { attempt_ = 0; }

private:
  ReconnectPolicy policy_;
  Random random_;
  std::uint32_t attempt_ = 0;
};

} // namespace rtc_signaling::core

#include "backoff.hpp"

#include <algorithm>

namespace rtc_signaling::core {

std::uint32_t Backoff::ceiling(std::uint32_t attempt) const noexcept {
  if (attempt <= 1)
    return 0;
  // 2^(attempt-1) overflows quickly; beyond 2^40 any sane max_delay_ms is already the cap.
  const std::uint32_t exponent = std::min<std::uint32_t>(attempt - 1, 40);
  const std::uint64_t grown = static_cast<std::uint64_t>(policy_.initial_delay_ms) << exponent;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(policy_.max_delay_ms, grown));
}

std::uint32_t Backoff::next_delay() noexcept {
  if (attempt_ < UINT32_MAX)
    ++attempt_;
  if (attempt_ == 1)
    return 0;
  return static_cast<std::uint32_t>(random_.uniform_inclusive(ceiling(attempt_)));
}

} // namespace rtc_signaling::core

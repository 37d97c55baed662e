// The core's only source of randomness: a seeded SplitMix64 (Steele, Lea, Flood 2014).
// std:: distributions are implementation-defined and differ between libstdc++ (native tests) and
// libc++ (em++), so the same seed must map to the same delays through our own arithmetic.
#pragma once

#include <cstdint>

namespace rtc_signaling::core {

class Random {
public:
  explicit Random(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, bound], unbiased (rejection of the incomplete top bucket).
  std::uint64_t uniform_inclusive(std::uint64_t bound) noexcept {
    if (bound == UINT64_MAX)
      return next();
    const std::uint64_t range = bound + 1;
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % range);
    std::uint64_t x = next();
    while (x >= limit)
      x = next();
    return x % range;
  }

private:
  std::uint64_t state_;
};

} // namespace rtc_signaling::core

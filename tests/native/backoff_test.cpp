// Reconnect delays (docs/ARCHITECTURE.md#the-session): 0 ms first, then uniform(0, min(max, initial * 2^(attempt-1))).
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "backoff.hpp"

namespace rtc_signaling::core {
namespace {

ReconnectPolicy defaults() {
  return ReconnectPolicy{};
}

TEST(Backoff, FirstAttemptIsImmediate) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    Backoff b(defaults(), seed);
    EXPECT_EQ(b.next_delay(), 0u);
    EXPECT_EQ(b.attempt(), 1u);
  }
}

TEST(Backoff, CeilingDoublesFromInitialUntilMax) {
  Backoff b(defaults(), 1);
  EXPECT_EQ(b.ceiling(1), 0u);
  EXPECT_EQ(b.ceiling(2), 1'000u);
  EXPECT_EQ(b.ceiling(3), 2'000u);
  EXPECT_EQ(b.ceiling(6), 16'000u);
  EXPECT_EQ(b.ceiling(7), 30'000u);
  EXPECT_EQ(b.ceiling(1'000), 30'000u);
  EXPECT_EQ(b.ceiling(UINT32_MAX), 30'000u);
}

TEST(Backoff, EveryLaterAttemptStaysWithinItsBound) {
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    Backoff b(defaults(), seed);
    b.next_delay();
    for (std::uint32_t attempt = 2; attempt <= 30; ++attempt) {
      const std::uint32_t d = b.next_delay();
      const std::uint64_t bound = std::min<std::uint64_t>(30'000, 500ull << (attempt - 1));
      ASSERT_LE(d, bound) << "seed " << seed << " attempt " << attempt;
    }
  }
}

TEST(Backoff, DelaysAreUniformOverTheWholeWindow) {
  // Full jitter: attempt 2 is uniform on [0, 1000]. Ten buckets over 20 000 seeds should each
  // hold 10% within a margin far wider than sampling noise (sd ~0.2%) but far narrower than any
  // "equal jitter" or fixed-delay bug would produce.
  constexpr int kSeeds = 20'000;
  std::array<int, 10> buckets{};
  double sum = 0;
  std::uint32_t lo = UINT32_MAX, hi = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    Backoff b(defaults(), static_cast<std::uint64_t>(seed));
    b.next_delay();
    const std::uint32_t d = b.next_delay();
    sum += d;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    buckets[std::min<std::uint32_t>(d / 100, 9)]++;
  }
  EXPECT_NEAR(sum / kSeeds, 500.0, 15.0);
  EXPECT_LT(lo, 10u);
  EXPECT_GT(hi, 990u);
  for (int count : buckets)
    EXPECT_NEAR(count, kSeeds / 10, kSeeds / 100);
}

TEST(Backoff, SameSeedGivesSameDelaysDifferentSeedsDiffer) {
  Backoff a(defaults(), 7), b(defaults(), 7), c(defaults(), 8);
  std::vector<std::uint32_t> da, db, dc;
  for (int i = 0; i < 10; ++i) {
    da.push_back(a.next_delay());
    db.push_back(b.next_delay());
    dc.push_back(c.next_delay());
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(Backoff, KnownSequenceIsIdenticalOnEveryStandardLibrary) {
  // Pinned values, also produced by the em++ (libc++, wasm32) build: no std:: distribution is
  // involved, so the same seed gives the same delays in the browser and in these tests.
  Backoff b(defaults(), 42);
  std::vector<std::uint32_t> got;
  for (int i = 0; i < 8; ++i)
    got.push_back(b.next_delay());
  EXPECT_EQ(got, (std::vector<std::uint32_t>{0, 152, 1888, 1208, 7947, 12562, 8382, 16140}));
}

TEST(Backoff, ResetStartsOverAtImmediate) {
  Backoff b(defaults(), 3);
  for (int i = 0; i < 5; ++i)
    b.next_delay();
  EXPECT_EQ(b.attempt(), 5u);
  b.reset();
  EXPECT_EQ(b.attempt(), 0u);
  EXPECT_EQ(b.next_delay(), 0u);
}

TEST(Backoff, ExhaustedOnlyWhenMaxAttemptsSetAndUsed) {
  ReconnectPolicy p;
  p.max_attempts = 2;
  Backoff b(p, 1);
  EXPECT_FALSE(b.exhausted());
  b.next_delay();
  EXPECT_FALSE(b.exhausted());
  b.next_delay();
  EXPECT_TRUE(b.exhausted());

  Backoff unlimited(defaults(), 1);
  for (int i = 0; i < 1000; ++i)
    unlimited.next_delay();
  EXPECT_FALSE(unlimited.exhausted());
}

TEST(Backoff, CustomPolicyIsHonoured) {
  ReconnectPolicy p;
  p.initial_delay_ms = 100;
  p.max_delay_ms = 250;
  Backoff b(p, 9);
  EXPECT_EQ(b.ceiling(2), 200u);
  EXPECT_EQ(b.ceiling(3), 250u);
  b.next_delay();
  for (int i = 0; i < 100; ++i)
    EXPECT_LE(b.next_delay(), 250u);
}

} // namespace
} // namespace rtc_signaling::core

// Real Clients negotiating through a simulated native server (sim_harness.hpp).
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "sim_harness.hpp"

namespace rtc_signaling::sim {
namespace {

void expect_all_converged(ClientHarness& h, const std::string& context) {
  for (int a = 0; a < h.clients(); ++a) {
    for (int b = a + 1; b < h.clients(); ++b) {
      EXPECT_EQ(h.convergence_problem(a, b), "") << context;
    }
  }
}

TEST(NegotiationClients, ThreeClientsFormAFullMesh) {
  HarnessOptions options;
  options.clients = 3;
  ClientHarness h(5, options);
  h.join(0);
  h.run_until(1'000);
  h.join(1);
  h.join(2);  // two newcomers at once
  h.run_until(20'000);
  expect_all_converged(h, "mesh");
}

TEST(NegotiationClients, TrackAddedMidCallRenegotiatesEveryConnection) {
  HarnessOptions options;
  options.clients = 3;
  ClientHarness h(6, options);
  for (int i = 0; i < 3; ++i) h.join(i);
  h.run_until(10'000);
  expect_all_converged(h, "before");
  h.add_track(1);
  h.run_until(20'000);
  expect_all_converged(h, "after");
  EXPECT_EQ(h.pc(0, 1)->current_remote()->sdp.find("a=x-tracks:2") != std::string::npos, true);
  EXPECT_EQ(h.pc(2, 1)->current_remote()->sdp.find("a=x-tracks:2") != std::string::npos, true);
}

TEST(NegotiationClients, FailedIceIsRestartedThroughTheServer) {
  ClientHarness h(8, HarnessOptions{});
  h.join(0);
  h.join(1);
  h.run_until(10'000);
  expect_all_converged(h, "before");
  const std::string ufrag = h.pc(0, 1)->current_local_ufrag();
  h.break_link(0, 1, ConnectionState::failed);
  EXPECT_FALSE(h.connected(0, 1));
  h.run_until(20'000);
  expect_all_converged(h, "after");
  EXPECT_NE(h.pc(0, 1)->current_local_ufrag(), ufrag);
  EXPECT_EQ(h.pc(0, 1)->counters().ice_restart_offers + h.pc(1, 0)->counters().ice_restart_offers,
            1);
}

TEST(NegotiationClients, LeavingPeerHasItsConnectionClosed) {
  HarnessOptions options;
  options.clients = 3;
  ClientHarness h(9, options);
  for (int i = 0; i < 3; ++i) h.join(i);
  h.run_until(10'000);
  expect_all_converged(h, "before");
  ASSERT_NE(h.pc(0, 2), nullptr);
  h.leave(2);
  h.run_until(12'000);
  EXPECT_EQ(h.pc(0, 2), nullptr);
  EXPECT_EQ(h.pc(1, 2), nullptr);
  EXPECT_EQ(h.client(0).peers().count(h.id(2)), 0u);
  EXPECT_EQ(h.client(1).peers().count(h.id(2)), 0u);
  EXPECT_EQ(h.convergence_problem(0, 1), "");
}

// 2-4 clients join a room at random moments and renegotiate at random (tracks, app ICE
// restarts, transports failing), with random frame delays and interleaved completions.
// Sharded so CTest can run the shards in parallel; together they cover seeds 1..1000.
constexpr int kShards = 20;
constexpr std::uint64_t kSeedsPerShard = 50;

class NegotiationClientsProperty : public ::testing::TestWithParam<int> {};

TEST_P(NegotiationClientsProperty, ThousandSeedsConverge) {
  const std::uint64_t first = static_cast<std::uint64_t>(GetParam()) * kSeedsPerShard + 1;
  const std::uint64_t last = first + kSeedsPerShard - 1;
  std::uint64_t restarts = 0, rollbacks = 0;
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    HarnessOptions options;
    options.clients = 2 + static_cast<int>(seed % 3);
    ClientHarness h(seed, options);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(h.rng()); };
    for (int i = 0; i < h.clients(); ++i) {
      h.loop().at(pick(0, 400), [&h, i] { h.join(i); });
    }
    const int actions = pick(0, 2 * h.clients());
    for (int k = 0; k < actions; ++k) {
      const TimeMs when = pick(0, 3'000);
      const int a = pick(0, h.clients() - 1);
      const int b = (a + pick(1, h.clients() - 1)) % h.clients();
      const int kind = pick(0, 99);
      if (kind < 55) {
        h.loop().at(when, [&h, a] { h.add_track(a); });
      } else if (kind < 80) {
        h.loop().at(when, [&h, a, b] { h.restart_ice(a, b); });
      } else {
        const auto state = pick(0, 1) ? ConnectionState::failed : ConnectionState::disconnected;
        h.loop().at(when, [&h, a, b, state] {
          if (h.connected(a, b)) h.break_link(a, b, state);
        });
      }
    }
    h.run_until(20'000);
    for (int a = 0; a < h.clients(); ++a) {
      for (int b = a + 1; b < h.clients(); ++b) {
        ASSERT_EQ(h.convergence_problem(a, b), "") << "seed " << seed;
        restarts += h.pc(a, b)->counters().ice_restart_offers +
                    h.pc(b, a)->counters().ice_restart_offers;
        rollbacks += h.pc(a, b)->counters().rollbacks + h.pc(b, a)->counters().rollbacks;
      }
    }
  }
  std::cout << "[sim] client property shard " << GetParam() + 1 << "/" << kShards << ": seeds "
            << first << "-" << last << " of " << kShards * kSeedsPerShard << " converged"
            << " (2-4 clients, rollbacks=" << rollbacks << " ice_restarts=" << restarts
            << " wrong_state_failures=0)\n";
  RecordProperty("seeds", static_cast<int>(kSeedsPerShard));
}

INSTANTIATE_TEST_SUITE_P(Seeds, NegotiationClientsProperty, ::testing::Range(0, kShards));

}  // namespace
}  // namespace rtc_signaling::sim

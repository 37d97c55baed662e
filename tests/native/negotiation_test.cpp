// Perfect negotiation between Negotiators, driven through fake JSEP peer connections and a
// seeded signaling channel on a virtual clock (sim_mesh.hpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "sim_mesh.hpp"

namespace rtc_signaling::sim {
namespace {

constexpr TimeMs kQuietLimit = 600'000;

MeshOptions fixed_delays() {
  MeshOptions options;
  options.min_signal_delay = options.max_signal_delay = 10;
  options.min_op_delay = options.max_op_delay = 3;
  return options;
}

std::string owner_of(const Description& d) { return sdp_attribute(d.sdp, "x-owner"); }
int tracks_of(const std::optional<Description>& d) {
  return d ? std::stoi(sdp_attribute(d->sdp, "x-tracks")) : -1;
}

// p0 is polite towards p1 (it sorts lower); p1 is impolite.
void connect_pair(NegotiatorMesh& mesh) {
  mesh.add_track(1, 0);  // the newcomer opens with its data channel
  mesh.run_until_quiet(kQuietLimit);
  mesh.add_track(0, 1);  // the existing peer's data channel, created on the first description
  mesh.run_until_quiet(kQuietLimit);
  ASSERT_EQ(mesh.convergence_problem(0, 1), "");
}

TEST(Negotiation, RolesFollowByteWiseIdOrder) {
  NegotiatorMesh mesh(1, MeshOptions{});
  EXPECT_TRUE(mesh.endpoint(0, 1).negotiator.polite());
  EXPECT_FALSE(mesh.endpoint(1, 0).negotiator.polite());
}

TEST(Negotiation, GlareConvergesWithImpoliteOfferWinning) {
  NegotiatorMesh mesh(7, fixed_delays());
  mesh.add_track(0, 1);
  mesh.add_track(1, 0);
  mesh.run_until_quiet(kQuietLimit);

  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
  Endpoint& polite = mesh.endpoint(0, 1);
  Endpoint& impolite = mesh.endpoint(1, 0);
  // Both offered at once; the polite side rolled its offer back and took the impolite one.
  EXPECT_GE(polite.pc.counters().rollbacks, 1);
  EXPECT_EQ(impolite.pc.counters().rollbacks, 0);
  ASSERT_FALSE(polite.applied_remote.empty());
  EXPECT_EQ(polite.applied_remote.front().type, "offer");
  EXPECT_EQ(owner_of(polite.applied_remote.front()), "p1");
  ASSERT_FALSE(impolite.applied_remote.empty());
  EXPECT_EQ(impolite.applied_remote.front().type, "answer");
  // The polite side still got its own track negotiated afterwards.
  EXPECT_EQ(tracks_of(impolite.pc.current_remote()), 1);
  EXPECT_EQ(owner_of(*impolite.pc.current_remote()), "p0");
  EXPECT_TRUE(polite.errors.empty());
  EXPECT_TRUE(impolite.errors.empty());
}

TEST(Negotiation, CandidatesBeforeDescriptionAreAppliedAfterIt) {
  NegotiatorMesh mesh(3, fixed_delays());
  Endpoint& offerer = mesh.endpoint(1, 0);
  Endpoint& answerer = mesh.endpoint(0, 1);
  offerer.hold_outgoing = true;
  mesh.add_track(1, 0);
  mesh.run_until_quiet(kQuietLimit);
  // Offer, a candidate, end-of-candidates; the description never lets a candidate overtake it.
  ASSERT_EQ(offerer.held.size(), 3u);
  ASSERT_TRUE(std::holds_alternative<Description>(offerer.held[0]));

  mesh.release_held(1, 0, {1, 2, 0});  // the network reorders: candidates first
  mesh.run_until_quiet(kQuietLimit);

  EXPECT_EQ(answerer.candidate_signals_received, 2);
  EXPECT_EQ(answerer.add_candidate_ops, 2);
  EXPECT_EQ(answerer.pc.counters().wrong_state, 0);
  EXPECT_TRUE(answerer.pc.has_remote_candidate_for_current());
  EXPECT_TRUE(answerer.pc.remote_end_of_candidates());
  EXPECT_TRUE(answerer.errors.empty());
  mesh.add_track(0, 1);
  mesh.run_until_quiet(kQuietLimit);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
}

TEST(Negotiation, IceRestartOnFailed) {
  NegotiatorMesh mesh(11, fixed_delays());
  connect_pair(mesh);
  Endpoint& polite = mesh.endpoint(0, 1);
  Endpoint& impolite = mesh.endpoint(1, 0);
  const std::string old_ufrag = impolite.pc.current_local_ufrag();

  mesh.break_link(0, 1, ConnectionState::failed);
  EXPECT_EQ(impolite.negotiator.connection_state(), ConnectionState::failed);
  mesh.run_until_quiet(kQuietLimit);

  EXPECT_EQ(impolite.pc.counters().ice_restart_offers, 1);
  EXPECT_EQ(polite.pc.counters().ice_restart_offers, 0);  // it did not compete
  EXPECT_NE(impolite.pc.current_local_ufrag(), old_ufrag);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
  EXPECT_EQ(impolite.reported_states.back(), ConnectionState::connected);
  EXPECT_NE(std::find(impolite.reported_states.begin(), impolite.reported_states.end(),
                      ConnectionState::failed),
            impolite.reported_states.end());
  EXPECT_FALSE(impolite.negotiator.next_deadline().has_value());
  EXPECT_FALSE(polite.negotiator.next_deadline().has_value());
}

TEST(Negotiation, IceRestartAfterDisconnectedGrace) {
  MeshOptions options = fixed_delays();
  options.ice_grace_ms = 5'000;
  NegotiatorMesh mesh(12, options);
  connect_pair(mesh);
  Endpoint& polite = mesh.endpoint(0, 1);
  Endpoint& impolite = mesh.endpoint(1, 0);

  const TimeMs t0 = mesh.loop().now();
  mesh.break_link(0, 1, ConnectionState::disconnected);
  ASSERT_EQ(impolite.negotiator.next_deadline(), t0 + 5'000);
  ASSERT_EQ(polite.negotiator.next_deadline(), t0 + 10'000);  // polite waits an extra grace
  mesh.run_until(t0 + 4'999);
  EXPECT_EQ(impolite.pc.counters().ice_restart_offers, 0);
  EXPECT_EQ(mesh.pair_state(0, 1), ConnectionState::disconnected);

  mesh.run_until_quiet(kQuietLimit);
  EXPECT_EQ(impolite.pc.counters().ice_restart_offers, 1);
  EXPECT_EQ(polite.pc.counters().ice_restart_offers, 0);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
}

TEST(Negotiation, PoliteSideRestartsIceOnlyAfterAnExtraGrace) {
  MeshOptions options = fixed_delays();
  options.ice_grace_ms = 1'000;
  NegotiatorMesh mesh(13, options);
  connect_pair(mesh);
  Endpoint& polite = mesh.endpoint(0, 1);
  Endpoint& impolite = mesh.endpoint(1, 0);
  // The impolite side's browser is stuck setting its restart offer, so the link stays down past
  // the polite side's extra grace and the polite side restarts too.
  impolite.stall_ops = true;
  const TimeMs t0 = mesh.loop().now();
  mesh.break_link(0, 1, ConnectionState::disconnected);
  mesh.run_until(t0 + 1'999);
  EXPECT_TRUE(impolite.in_flight.has_value());  // its restart offer was issued at t0 + 1000
  EXPECT_EQ(polite.pc.counters().ice_restart_offers, 0);
  mesh.run_until(t0 + 2'500);
  EXPECT_EQ(polite.pc.counters().ice_restart_offers, 1);

  mesh.release_stalled(1, 0);  // now both restart offers collide; the impolite one wins
  mesh.run_until_quiet(kQuietLimit);
  EXPECT_EQ(impolite.pc.counters().ice_restart_offers, 1);
  EXPECT_EQ(impolite.pc.counters().rollbacks, 0);
  EXPECT_GE(polite.pc.counters().rollbacks, 1);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
  EXPECT_TRUE(polite.errors.empty());
  EXPECT_TRUE(impolite.errors.empty());
}

TEST(Negotiation, RenegotiatesWhenTrackAddedMidCall) {
  NegotiatorMesh mesh(21, fixed_delays());
  connect_pair(mesh);
  Endpoint& polite = mesh.endpoint(0, 1);
  Endpoint& impolite = mesh.endpoint(1, 0);
  const int offers_before = polite.pc.counters().offers;

  mesh.add_track(0, 1);  // e.g. the camera is switched on during the call
  mesh.run_until_quiet(kQuietLimit);

  EXPECT_EQ(polite.pc.counters().offers, offers_before + 1);
  EXPECT_EQ(tracks_of(impolite.pc.current_remote()), 2);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
  EXPECT_EQ(impolite.pc.counters().ice_restart_offers + polite.pc.counters().ice_restart_offers, 0);
}

TEST(Negotiation, NegotiationNeededDuringAnOperationIsNotLost) {
  NegotiatorMesh mesh(22, fixed_delays());
  connect_pair(mesh);
  Endpoint& impolite = mesh.endpoint(1, 0);
  mesh.add_track(1, 0);
  mesh.run_until(mesh.loop().now() + 1);  // our offer is being set
  ASSERT_TRUE(impolite.in_flight.has_value());
  impolite.negotiator.negotiation_needed();  // a browser re-fire mid-operation
  mesh.add_track(1, 0);  // a second track while have-local-offer: no event until stable
  mesh.run_until_quiet(kQuietLimit);
  EXPECT_EQ(tracks_of(mesh.endpoint(0, 1).pc.current_remote()), 3);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
}

TEST(Negotiation, CandidatesOfIgnoredOfferDroppedSilently) {
  NegotiatorMesh mesh(7, fixed_delays());
  mesh.add_track(0, 1);
  mesh.add_track(1, 0);
  mesh.run_until_quiet(kQuietLimit);

  Endpoint& impolite = mesh.endpoint(1, 0);
  // The polite side's first offer (and its candidate plus end-of-candidates) was ignored.
  EXPECT_EQ(impolite.candidate_signals_received - impolite.add_candidate_ops, 2);
  EXPECT_TRUE(impolite.errors.empty());
  EXPECT_EQ(impolite.pc.counters().unknown_ufrag, 0);
  EXPECT_EQ(impolite.pc.counters().wrong_state, 0);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
}

TEST(Negotiation, FailedOperationReportsErrorAndRecovers) {
  NegotiatorMesh mesh(31, fixed_delays());
  connect_pair(mesh);
  Endpoint& impolite = mesh.endpoint(1, 0);
  impolite.fail_next_op = "setRemoteDescription(answer)";
  mesh.add_track(1, 0);
  mesh.run_until_quiet(kQuietLimit);

  ASSERT_EQ(impolite.errors.size(), 1u);
  EXPECT_EQ(impolite.errors[0].code, "negotiation-failed");
  EXPECT_FALSE(impolite.errors[0].fatal);
  EXPECT_NE(impolite.errors[0].message.find("setRemoteDescription(answer)"), std::string::npos);
  EXPECT_EQ(impolite.pc.counters().injected_failures, 1);
  // It withdrew the offer and negotiated again instead of waiting forever for an answer.
  EXPECT_GE(impolite.pc.counters().rollbacks, 1);
  EXPECT_EQ(tracks_of(mesh.endpoint(0, 1).pc.current_remote()), 2);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
}

TEST(Negotiation, FailedLocalOfferLeavesQueueUsable) {
  NegotiatorMesh mesh(32, fixed_delays());
  connect_pair(mesh);
  Endpoint& polite = mesh.endpoint(0, 1);
  polite.fail_next_op = "setLocalDescription(offer)";
  mesh.add_track(0, 1);
  mesh.run_until_quiet(kQuietLimit);
  ASSERT_EQ(polite.errors.size(), 1u);
  EXPECT_EQ(polite.negotiator.signaling_state(), SignalingState::stable);
  mesh.add_track(0, 1);  // the next negotiationneeded goes through
  mesh.run_until_quiet(kQuietLimit);
  EXPECT_EQ(tracks_of(mesh.endpoint(1, 0).pc.current_remote()), 3);
  EXPECT_EQ(mesh.convergence_problem(0, 1), "");
}

TEST(Negotiation, StaleAndUnknownCompletionsAreIgnored) {
  negotiation::Negotiator n("peer", false, 5'000);
  n.negotiation_needed();
  auto action = n.poll();
  ASSERT_TRUE(action);
  auto* sld = std::get_if<output::SetLocalDescription>(&*action);
  ASSERT_TRUE(sld);
  EXPECT_EQ(sld->type, "offer");
  n.operation_done(input::OperationDone{"peer", sld->op_id + 7, true, "", Description{"offer", "v=0\r\n"}});
  EXPECT_FALSE(n.poll());  // unknown op id: nothing happens
  n.operation_done(input::OperationDone{"peer", sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
  auto sent = n.poll();
  ASSERT_TRUE(sent);
  ASSERT_TRUE(std::holds_alternative<negotiation::SendSignal>(*sent));
  n.operation_done(input::OperationDone{"peer", sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
  EXPECT_FALSE(n.poll());  // a duplicate completion is stale
  EXPECT_EQ(n.signaling_state(), SignalingState::have_local_offer);
}

TEST(Negotiation, LocalEndOfCandidatesIsSignalled) {
  negotiation::Negotiator n("peer", true, 5'000);
  n.local_candidate(std::nullopt);
  auto action = n.poll();
  ASSERT_TRUE(action);
  auto* signal = std::get_if<negotiation::SendSignal>(&*action);
  ASSERT_TRUE(signal);
  EXPECT_TRUE(std::holds_alternative<EndOfCandidates>(signal->payload));
}

// Random meshes of 2-4 peers; both sides of every pair add tracks and restart ICE at random times,
// links fail, signals are delayed and completions interleave. Per-direction signal order is kept
// (the native server relays in order on one socket).
// Sharded so CTest can run the shards in parallel; together they cover seeds 1..1000.
constexpr int kShards = 8;
constexpr std::uint64_t kSeedsPerShard = 125;

class NegotiationProperty : public ::testing::TestWithParam<int> {};

TEST_P(NegotiationProperty, ThousandSeedsConverge) {
  const std::uint64_t first = static_cast<std::uint64_t>(GetParam()) * kSeedsPerShard + 1;
  const std::uint64_t last = first + kSeedsPerShard - 1;
  std::uint64_t rollbacks = 0, restarts = 0, dropped_candidates = 0, ops = 0, tasks = 0;
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    MeshOptions options;
    options.peers = 2 + static_cast<int>(seed % 3);
    options.ice_grace_ms = 2'000;
    options.trace = std::getenv("RTC_SIM_TRACE_SEED") &&
                    std::strtoull(std::getenv("RTC_SIM_TRACE_SEED"), nullptr, 10) == seed;
    NegotiatorMesh mesh(seed, options);
    auto& rng = mesh.rng();
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (int a = 0; a < mesh.peers(); ++a) {
      for (int b = a + 1; b < mesh.peers(); ++b) {
        // The newcomer (higher index) opens; the other side adds its channel soon after, often
        // at the same moment (glare).
        const TimeMs start = pick(0, 200);
        mesh.loop().at(start, [&mesh, a, b] { mesh.add_track(b, a); });
        mesh.loop().at(start + pick(0, 60), [&mesh, a, b] { mesh.add_track(a, b); });
        const int actions = pick(0, 5);
        for (int i = 0; i < actions; ++i) {
          const TimeMs when = pick(0, 3'000);
          const bool first = pick(0, 1) == 0;
          const int self = first ? a : b, remote = first ? b : a;
          const int kind = pick(0, 99);
          if (kind < 60) {
            mesh.loop().at(when, [&mesh, self, remote] { mesh.add_track(self, remote); });
          } else if (kind < 85) {
            mesh.loop().at(when, [&mesh, self, remote] { mesh.restart_ice(self, remote); });
          } else {
            const auto state = pick(0, 1) ? ConnectionState::failed : ConnectionState::disconnected;
            mesh.loop().at(when, [&mesh, a, b, state] {
              if (mesh.pair_state(a, b) == ConnectionState::connected) mesh.break_link(a, b, state);
            });
          }
        }
      }
    }
    mesh.run_until_quiet(kQuietLimit);
    tasks += mesh.loop().executed_;
    for (int a = 0; a < mesh.peers(); ++a) {
      for (int b = 0; b < mesh.peers(); ++b) {
        if (a == b) continue;
        if (a < b) {
          ASSERT_EQ(mesh.convergence_problem(a, b), "") << "seed " << seed;
        }
        Endpoint& e = mesh.endpoint(a, b);
        ASSERT_TRUE(e.errors.empty()) << "seed " << seed << ": " << e.errors[0].message;
        ASSERT_FALSE(e.negotiator.next_deadline()) << "seed " << seed;
        rollbacks += e.pc.counters().rollbacks;
        restarts += e.pc.counters().ice_restart_offers;
        dropped_candidates += e.candidate_signals_received - e.add_candidate_ops;
        ops += e.pc.counters().offers + e.pc.counters().answers;
      }
    }
  }
  std::cout << "[sim] negotiator property shard " << GetParam() + 1 << "/" << kShards
            << ": seeds " << first << "-" << last << " of " << kShards * kSeedsPerShard
            << " converged (2-4 peers, rollbacks=" << rollbacks << " ice_restarts=" << restarts
            << " ignored_candidates=" << dropped_candidates << " descriptions=" << ops
            << " wrong_state_failures=0 tasks=" << tasks << ")\n";
  RecordProperty("seeds", static_cast<int>(kSeedsPerShard));
}

INSTANTIATE_TEST_SUITE_P(Seeds, NegotiationProperty, ::testing::Range(0, kShards));

}  // namespace
}  // namespace rtc_signaling::sim

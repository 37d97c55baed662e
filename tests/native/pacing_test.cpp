// Pacing (welcome.rate) and the outbox while open: a burst of signals reaches the server at the
// rate it advertised, in order, and nothing is dropped on the way (issue: big rooms lose nothing).
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "client_driver.hpp"
#include "dialects/native.hpp"
#include "pacer.hpp"

namespace rtc_signaling {
namespace {

using testing::ClientDriver;

Candidate cand(int i) {
  return Candidate{"candidate:" + std::to_string(i), "0", 0, std::nullopt};
}

/// Joined to p2 with an offer already sent, so candidates go straight to the outbox.
void offer_sent(ClientDriver& d) {
  d.handle(input::NegotiationNeeded{"p2"});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
}

/// Candidates 0..n-1 gathered for p2, in order.
void gather(ClientDriver& d, int n) {
  for (int i = 0; i < n; ++i)
    d.handle(input::IceCandidate{"p2", cand(i)});
}

TEST(Pacer, SpendsBelowTheAdvertisedRateAndRefillsOnTheClock) {
  core::Pacer p;
  p.configure(msg::Rate{10, 10}, 0, /*sent=*/1); // 9 frames/s, burst 9, join spent one
  int sent = 0;
  while (p.can_send(0)) {
    p.spend(0);
    ++sent;
  }
  EXPECT_EQ(sent, 8);
  const TimeMs next = p.next_at(0);
  EXPECT_GT(next, 0);
  EXPECT_LE(next, 112); // one token per 1000/9 ms
  EXPECT_FALSE(p.can_send(next - 2));
  EXPECT_TRUE(p.can_send(next));
}

TEST(Pacer, UnconfiguredNeverHolds) {
  core::Pacer p;
  p.configure(std::nullopt, 0);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(p.can_send(0));
    p.spend(0);
  }
}

TEST(Pacing, BurstOfSignalsIsSentAtTheAdvertisedRateInOrderWithNothingDropped) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}}, "p1", msg::Rate{20, 10});
  offer_sent(d);
  gather(d, 100);
  auto sent = d.sent_of<msg::SignalTo>();
  EXPECT_LT(sent.size(), 10u) << "the burst is held back";
  // 18 frames/s: ~5.6 s for the rest. Pings and acks share the budget, so allow slack.
  d.advance(7'000);
  sent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 101u);
  EXPECT_TRUE(std::holds_alternative<Description>(sent[0].payload));
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(std::get<Candidate>(sent[i + 1].payload), cand(i));
  for (std::size_t i = 0; i < sent.size(); ++i)
    EXPECT_EQ(sent[i].seq, i + 1);
  EXPECT_TRUE(d.error_codes().empty());
}

TEST(Pacing, ANewcomersOffersGoAheadOfOtherPeersCandidatesButEachPeerKeepsItsOrder) {
  ClientDriver d;
  // We join a room of three: we call each of them (the newcomer offers).
  d.join_open({{"p2", "b"}, {"p3", "c"}, {"p4", "d"}}, "p1", msg::Rate{10, 5});
  auto offer_to = [&](const PeerId& peer) {
    d.handle(input::NegotiationNeeded{peer});
    auto sld = d.last<output::SetLocalDescription>();
    ASSERT_TRUE(sld);
    ASSERT_EQ(sld->peer, peer);
    d.handle(input::OperationDone{peer, sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
  };
  const std::vector<PeerId> peers = {"p2", "p3", "p4"};
  for (const auto& peer : peers) {
    offer_to(peer);
    for (int i = 0; i < 20; ++i)
      d.handle(input::IceCandidate{peer, cand(i)});
  }
  d.advance(10'000);
  const auto sent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 63u) << "nothing lost";
  std::map<PeerId, int> next; // per peer: the candidate expected next
  std::map<PeerId, std::size_t> offer_at;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].seq, i + 1) << "seqs in wire order";
    const auto& s = sent[i];
    if (std::holds_alternative<Description>(s.payload)) {
      offer_at[s.to] = i;
      EXPECT_EQ(next[s.to], 0) << s.to << ": its offer before its candidates";
    } else {
      EXPECT_EQ(std::get<Candidate>(s.payload), cand(next[s.to]++)) << s.to << " in order";
    }
  }
  // FIFO would send p4's offer as frame 43, after all 40 candidates for p2 and p3.
  EXPECT_LT(offer_at["p4"], 8u) << "every connection starts within the first frames";
  EXPECT_LT(offer_at["p3"], 8u);
  // And the candidates take turns: p4's first candidate does not wait for p2's twentieth.
  std::size_t first_p4_candidate = sent.size();
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (sent[i].to == "p4" && std::holds_alternative<Candidate>(sent[i].payload)) {
      first_p4_candidate = i;
      break;
    }
  }
  EXPECT_LT(first_p4_candidate, 15u);
}

TEST(Pacing, NoAdvertisedRateSendsAtOnce) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}}, "p1", std::nullopt);
  offer_sent(d);
  gather(d, 100);
  EXPECT_EQ(d.sent_of<msg::SignalTo>().size(), 101u);
}

TEST(Pacing, ResumeResendsUnackedEntriesThroughThePacer) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}}, "p1", msg::Rate{1000, 1000});
  offer_sent(d);
  gather(d, 30);
  ASSERT_EQ(d.sent_of<msg::SignalTo>().size(), 31u);
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(d.last<output::Reconnecting>()->delay_ms);
  d.handle(input::SocketOpened{});
  d.clear();
  msg::Welcome w{"p1", d.client.config().room, "tok-2", true, 0, {{"p2", "bob"}}};
  w.rate = msg::Rate{10, 5}; // 9/s, burst 4.5: three frames right after the join
  d.server(w);
  EXPECT_EQ(d.sent_of<msg::SignalTo>().size(), 3u);
  d.advance(5'000);
  auto resent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(resent.size(), 31u);
  for (std::size_t i = 0; i < resent.size(); ++i)
    EXPECT_EQ(resent[i].seq, i + 1) << "resent in order with their original seqs";
}

TEST(Outbox, WhileOpenNoCandidateIsDroppedEvenWithNothingAcked) {
  auto c = testing::test_config();
  c.limits.outbox_frames = 8;
  ClientDriver d(c);
  d.join_open({{"p2", "bob"}});
  offer_sent(d);
  gather(d, 100); // the server never acks: 101 entries stay in the outbox
  EXPECT_TRUE(d.error_codes().empty());
  EXPECT_EQ(d.sent_of<msg::SignalTo>().size(), 101u);
}

TEST(NativeCodec, WelcomeRateIsDecodedAndAMalformedOneIgnored) {
  Limits limits;
  auto welcome = [&](const std::string& rate) {
    auto d = dialects::native::decode_server(R"({"type":"welcome","id":"p1","room":"r1","rate":)" + rate + "}", limits);
    auto* m = std::get_if<msg::ServerMessage>(&d);
    EXPECT_TRUE(m) << rate;
    return m ? std::get<msg::Welcome>(*m).rate : std::nullopt;
  };
  EXPECT_EQ(welcome(R"({"framesPerSec":50,"burst":100})"), (msg::Rate{50, 100}));
  EXPECT_EQ(welcome(R"({"framesPerSec":0,"burst":100})"), std::nullopt);
  EXPECT_EQ(welcome(R"({"framesPerSec":"50","burst":100})"), std::nullopt);
  EXPECT_EQ(welcome(R"(7)"), std::nullopt);
}

} // namespace
} // namespace rtc_signaling

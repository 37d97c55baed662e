// Outbox (docs/ARCHITECTURE.md#the-reliable-stream-and-resume): bounded queue of signals; descriptions are never evicted; entries stay
// until acked.
#include <gtest/gtest.h>

#include "outbox.hpp"

namespace rtc_signaling::core {
namespace {

Candidate cand(int i) {
  return Candidate{"candidate:" + std::to_string(i), "0", 0, std::nullopt};
}
Description offer() {
  return Description{"offer", "v=0\r\n"};
}

TEST(Outbox, FullOutboxEvictsOldestNonDescription) {
  Outbox o(3);
  EXPECT_EQ(o.push("p", offer()), Outbox::PushResult::queued);
  EXPECT_EQ(o.push("p", cand(1)), Outbox::PushResult::queued);
  EXPECT_EQ(o.push("p", EndOfCandidates{}), Outbox::PushResult::queued);
  EXPECT_EQ(o.push("p", cand(2)), Outbox::PushResult::queued_dropping_oldest);
  ASSERT_EQ(o.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<Description>(o.entries()[0].payload));
  EXPECT_TRUE(std::holds_alternative<EndOfCandidates>(o.entries()[1].payload));
  EXPECT_EQ(std::get<Candidate>(o.entries()[2].payload), cand(2));
}

TEST(Outbox, OutboxFullOfDescriptionsRefusesNewEntry) {
  Outbox o(2);
  o.push("p", offer());
  o.push("q", offer());
  EXPECT_EQ(o.push("p", cand(1)), Outbox::PushResult::refused);
  EXPECT_EQ(o.push("p", offer()), Outbox::PushResult::refused);
  EXPECT_EQ(o.size(), 2u);
}

TEST(Outbox, SeqsAreAssignedOnceInOrderAndAckIsCumulative) {
  Outbox o(8);
  for (int i = 0; i < 4; ++i)
    o.push("p", cand(i));
  for (auto& e : o.entries())
    o.assign_seq(e);
  EXPECT_EQ(o.assign_seq(o.entries()[0]), 1u); // already numbered: unchanged
  EXPECT_EQ(o.entries()[3].seq, 4u);
  o.ack(2);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o.entries()[0].seq, 3u);
  o.ack(1); // stale ack changes nothing
  EXPECT_EQ(o.size(), 2u);
}

TEST(Outbox, UnsentEntriesSurviveAcks) {
  Outbox o(8);
  o.push("p", cand(1));
  o.assign_seq(o.entries()[0]);
  o.push("p", cand(2)); // not yet sent: seq 0
  o.ack(100);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(std::get<Candidate>(o.entries()[0].payload), cand(2));
}

TEST(Outbox, RestartNumberingStartsAgainAtOne) {
  Outbox o(8);
  o.push("p", cand(1));
  o.push("p", cand(2));
  for (auto& e : o.entries())
    o.assign_seq(e);
  o.restart_numbering();
  EXPECT_EQ(o.entries()[0].seq, 0u);
  EXPECT_EQ(o.assign_seq(o.entries()[0]), 1u);
  EXPECT_EQ(o.assign_seq(o.entries()[1]), 2u);
}

TEST(Outbox, DropPeerForgetsOnlyThatPeer) {
  Outbox o(8);
  o.push("p", cand(1));
  o.push("q", cand(2));
  o.push("p", offer());
  o.drop_peer("p");
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o.entries()[0].to, "q");
}

} // namespace
} // namespace rtc_signaling::core

// Roster (docs/ARCHITECTURE.md#the-roster): membership, capacity and reconciliation with a server's list.
#include <gtest/gtest.h>

#include "roster.hpp"

namespace rtc_signaling::core {
namespace {

TEST(Roster, AddRemoveAndDuplicates) {
  Roster r(4);
  EXPECT_EQ(r.add({"a", "alice"}), Roster::AddResult::added);
  EXPECT_EQ(r.add({"a", "other"}), Roster::AddResult::already_present);
  EXPECT_EQ(r.peers().at("a").name, "alice");
  EXPECT_EQ(r.peers().at("a").state, ConnectionState::new_);
  EXPECT_TRUE(r.remove("a"));
  EXPECT_FALSE(r.remove("a"));
  EXPECT_FALSE(r.contains("a"));
}

TEST(Roster, RefusesPeersBeyondCapacity) {
  Roster r(2);
  EXPECT_EQ(r.add({"a", ""}), Roster::AddResult::added);
  EXPECT_EQ(r.add({"b", ""}), Roster::AddResult::added);
  EXPECT_EQ(r.add({"c", ""}), Roster::AddResult::full);
  EXPECT_EQ(r.size(), 2u);
}

TEST(Roster, ReconcileReportsGoneAndNewPeersAndKeepsState) {
  Roster r(8);
  r.add({"a", "alice"});
  r.add({"b", "bob"});
  r.set_state("b", ConnectionState::connected);
  auto diff = r.reconcile({{"b", "bob"}, {"c", "carol"}, {"self", "me"}}, "self");
  EXPECT_EQ(diff.left, std::vector<PeerId>{"a"});
  ASSERT_EQ(diff.joined.size(), 1u);
  EXPECT_EQ(diff.joined[0].id, "c");
  EXPECT_TRUE(diff.refused.empty());
  EXPECT_EQ(r.size(), 2u);
  EXPECT_FALSE(r.contains("self"));
  EXPECT_EQ(r.peers().at("b").state, ConnectionState::connected);
}

TEST(Roster, ReconcileWithEmptyListEmptiesRoster) {
  Roster r(8);
  r.add({"a", ""});
  r.add({"b", ""});
  auto diff = r.reconcile({}, "self");
  EXPECT_EQ(diff.left.size(), 2u);
  EXPECT_EQ(r.size(), 0u);
}

TEST(Roster, ReconcileRespectsCapacity) {
  Roster r(2);
  auto diff = r.reconcile({{"a", ""}, {"b", ""}, {"c", ""}}, "self");
  EXPECT_EQ(diff.joined.size(), 2u);
  ASSERT_EQ(diff.refused.size(), 1u);
  EXPECT_EQ(diff.refused[0].id, "c");
}

TEST(Roster, SetStateOfUnknownPeerIsIgnored) {
  Roster r(2);
  r.set_state("ghost", ConnectionState::failed);
  EXPECT_EQ(r.size(), 0u);
}

} // namespace
} // namespace rtc_signaling::core

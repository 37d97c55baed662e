// Incoming signals: sender checks and routing to the per-peer negotiator (docs/ARCHITECTURE.md#the-roster).
#include <gtest/gtest.h>

#include "client_driver.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling {
namespace {

using testing::candidate_from;
using testing::ClientDriver;
using testing::offer_from;

TEST(Signals, FromPeerNotInRosterIsDroppedAsBadMessage) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.server(offer_from("p7", 1));
  EXPECT_EQ(d.error_codes(), std::vector<std::string>{errc::bad_message});
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 0u);
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u);
  EXPECT_EQ(d.client.stats().signals_received, 0u);
  EXPECT_EQ(d.client.state(), SessionState::open);
}

TEST(Signals, ClaimingToBeFromOurselvesIsDropped) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}}, "p1");
  d.clear();
  d.server(offer_from("p1", 1));
  EXPECT_EQ(d.error_codes(), std::vector<std::string>{errc::bad_message});
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 0u);
}

TEST(Signals, ExistingMemberCreatesConnectionOnFirstDescription) {
  ClientDriver d;
  d.join_open({}, "p1");
  d.server(msg::PeerJoined{1, {"p5", "eve"}});
  d.clear();
  d.server(offer_from("p5", 2));
  ASSERT_GE(d.outputs.size(), 2u);
  auto* create = std::get_if<output::CreatePeerConnection>(&d.outputs[0]);
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->peer, "p5");
  EXPECT_TRUE(create->polite); // "p1" < "p5"
  ASSERT_EQ(d.count<output::SetRemoteDescription>(), 1u);
  EXPECT_EQ(d.last<output::SetRemoteDescription>()->description.type, "offer");
  EXPECT_EQ(d.client.stats().signals_received, 1u);
}

TEST(Signals, CandidateBeforeAnyDescriptionCreatesNothing) {
  ClientDriver d;
  d.join_open();
  d.server(msg::PeerJoined{1, {"p5", "eve"}});
  d.clear();
  d.server(candidate_from("p5", 2));
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u);
  EXPECT_EQ(d.count<output::Error>(), 0u);
}

TEST(Signals, NegotiatorOutputIsSentToThePeer) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.handle(input::NegotiationNeeded{"p2"});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  EXPECT_EQ(sld->peer, "p2");
  const Description offer{"offer", "v=0\r\ns=-\r\n"};
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", offer});
  auto sent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "p2");
  EXPECT_EQ(std::get<Description>(sent[0].payload), offer);
  EXPECT_EQ(d.client.stats().signals_sent, 1u);
}

TEST(Signals, PeerInputsForUnknownPeersAreIgnored) {
  ClientDriver d;
  d.join_open();
  d.clear();
  d.handle(input::NegotiationNeeded{"nobody"});
  d.handle(input::IceCandidate{"nobody", std::nullopt});
  d.handle(input::ConnectionStateChanged{"nobody", ConnectionState::failed});
  d.handle(input::RestartIce{"nobody"});
  EXPECT_TRUE(d.outputs.empty());
}

TEST(Signals, PeerStateIsMirroredInRoster) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  ASSERT_EQ(d.count<output::PeerStateChanged>(), 1u);
  EXPECT_EQ(d.client.peers().at("p2").state, ConnectionState::connected);
}

TEST(Signals, PeerLeftClosesItsConnection) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.server(msg::PeerLeft{1, "p2", "timeout"});
  ASSERT_EQ(d.count<output::PeerLeft>(), 1u);
  EXPECT_EQ(d.last<output::PeerLeft>()->reason, "timeout");
  ASSERT_EQ(d.count<output::ClosePeerConnection>(), 1u);
  EXPECT_TRUE(d.client.peers().empty());
  // Later signals from it are refused.
  d.server(offer_from("p2", 2));
  EXPECT_EQ(d.error_codes(), std::vector<std::string>{errc::bad_message});
}

TEST(Signals, NegotiatorDeadlinesAreIncludedInNextDeadline) {
  auto c = testing::test_config();
  c.ice_grace_ms = 5'000;
  c.ping_interval_ms = 60'000;
  c.server_timeout_ms = 120'000;
  c.reconnect.stable_after_ms = 60'000;
  ClientDriver d(c);
  d.join_open({{"p2", "bob"}}); // impolite towards nobody: p1 < p2, we are polite
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::disconnected});
  auto deadline = d.client.next_deadline();
  ASSERT_TRUE(deadline);
  EXPECT_LT(*deadline, 60'000);
}

TEST(Signals, UnknownMessageTypesAreCountedNotErrors) {
  ClientDriver d;
  d.join_open();
  d.clear();
  d.frame(R"({"type":"presence","who":"p9"})");
  d.frame(R"({"type":"presence","who":"p9"})");
  EXPECT_EQ(d.count<output::Error>(), 0u);
  EXPECT_EQ(d.client.stats().unknown_types, 2u);
}

} // namespace
} // namespace rtc_signaling

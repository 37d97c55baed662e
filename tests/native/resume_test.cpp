// Reliable delivery across reconnects (docs/ARCHITECTURE.md#the-reliable-stream-and-resume): resume join, resend of unacked
// signals, seq dedupe, ack batching, roster reconciliation.
#include <gtest/gtest.h>

#include "client_driver.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling {
namespace {

using testing::candidate_from;
using testing::ClientDriver;

Candidate cand(int i) {
  return Candidate{"candidate:" + std::to_string(i), "0", 0, std::nullopt};
}

/// Drops the socket and brings it back up to the point where the client sent its join.
void reconnect(ClientDriver& d) {
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(d.last<output::Reconnecting>()->delay_ms);
  d.handle(input::SocketOpened{});
}

TEST(Resume, ReconnectJoinCarriesResumeTokenAndLastSeq) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.server(msg::PeerJoined{1, {"p3", "carol"}});
  d.server(candidate_from("p2", 2));
  d.clear();
  reconnect(d);
  auto joins = d.sent_of<msg::Join>();
  ASSERT_EQ(joins.size(), 1u);
  EXPECT_EQ(joins[0].resume, std::optional<std::string>("tok-1"));
  EXPECT_EQ(joins[0].last_seq, std::optional<msg::Seq>(2));
}

TEST(Resume, FirstJoinHasNoResumeFields) {
  ClientDriver d;
  d.handle(input::Join{});
  d.handle(input::SocketOpened{});
  auto joins = d.sent_of<msg::Join>();
  ASSERT_EQ(joins.size(), 1u);
  EXPECT_FALSE(joins[0].resume);
  EXPECT_FALSE(joins[0].last_seq);
}

TEST(Resume, UnackedSignalsAreResentWithSameSeqAfterResume) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  for (int i = 0; i < 4; ++i)
    d.handle(input::IceCandidate{"p2", cand(i)});
  auto first = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(first.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(first[i].seq, i + 1);
  d.server(msg::Ack{2});
  reconnect(d);
  d.clear();
  // The server processed up to 3 before the drop (its ack never reached us).
  d.server(msg::Welcome{"p1", "r1", "tok-2", true, 3, {{"p2", "bob"}}});
  auto resent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(resent[0].seq, 4u);
  EXPECT_EQ(std::get<Candidate>(resent[0].payload), cand(3));
  // Next new signal continues the numbering.
  d.handle(input::IceCandidate{"p2", cand(9)});
  EXPECT_EQ(d.sent_of<msg::SignalTo>().back().seq, 5u);
}

TEST(Resume, SignalsProducedWhileReconnectingAreSentAfterRejoin) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.handle(input::SocketClosed{1006, "", true});
  d.clear();
  d.handle(input::IceCandidate{"p2", cand(1)});
  d.handle(input::IceCandidate{"p2", cand(2)});
  EXPECT_EQ(d.count<output::SendFrame>(), 0u);
  d.advance(0);
  d.handle(input::SocketOpened{});
  d.server(msg::Welcome{"p1", "r1", "tok-2", true, 0, {{"p2", "bob"}}});
  auto sent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(std::get<Candidate>(sent[0].payload), cand(1));
  EXPECT_EQ(std::get<Candidate>(sent[1].payload), cand(2));
}

TEST(Resume, NotResumedSessionRenumbersFromOne) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  for (int i = 0; i < 3; ++i)
    d.handle(input::IceCandidate{"p2", cand(i)});
  d.server(msg::Ack{1});
  d.server(candidate_from("p2", 7));
  reconnect(d);
  d.clear();
  d.server(msg::Welcome{"p1", "r1", "tok-2", false, std::nullopt, {{"p2", "bob"}}});
  // Not resumed: bob was told we left and dropped his side, so the old connection's signals are
  // not resent; the replacement connection's signals number from 1.
  EXPECT_TRUE(d.sent_of<msg::SignalTo>().empty());
  d.handle(input::IceCandidate{"p2", cand(9)});
  auto sent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].seq, 1u);
  // Incoming numbering restarted too: seq 1 is new, not a duplicate of the old session.
  d.clear();
  d.server(msg::PeerJoined{1, {"p3", "carol"}});
  EXPECT_EQ(d.count<output::PeerJoined>(), 1u);
}

TEST(Resume, DuplicateReliableMessagesAreDroppedBySeq) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.server(msg::PeerJoined{1, {"p3", "carol"}});
  d.server(msg::PeerLeft{2, "p3", "left"});
  d.clear();
  // The server resends after a resume; nothing is applied twice.
  d.server(msg::PeerJoined{1, {"p3", "carol"}});
  d.server(msg::PeerLeft{2, "p3", "left"});
  EXPECT_EQ(d.count<output::PeerJoined>(), 0u);
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
  EXPECT_EQ(d.client.peers().count("p3"), 0u);
  d.server(msg::PeerJoined{3, {"p3", "carol"}});
  EXPECT_EQ(d.count<output::PeerJoined>(), 1u);
}

TEST(Resume, DuplicateSignalsReachTheNegotiatorOnce) {
  ClientDriver d;
  d.join_open({{"p0", "zed"}}); // we created the connection as newcomer
  d.clear();
  d.server(testing::offer_from("p0", 5));
  const auto ops = d.count<output::SetRemoteDescription>();
  EXPECT_EQ(ops, 1u);
  d.server(testing::offer_from("p0", 5));
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 1u);
  EXPECT_EQ(d.client.stats().signals_received, 1u);
}

TEST(Resume, AcksAreBatchedAndCumulative) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.server(candidate_from("p2", 1));
  d.server(candidate_from("p2", 2));
  EXPECT_EQ(d.sent_of<msg::AckOut>().size(), 0u);
  d.advance(199);
  EXPECT_EQ(d.sent_of<msg::AckOut>().size(), 0u);
  d.advance(1);
  ASSERT_EQ(d.sent_of<msg::AckOut>().size(), 1u);
  EXPECT_EQ(d.sent_of<msg::AckOut>()[0].seq, 2u);
  d.advance(10'000);
  EXPECT_EQ(d.sent_of<msg::AckOut>().size(), 1u); // nothing new, no ack
}

TEST(Resume, BurstOfSixteenIsAckedAtOnce) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  for (msg::Seq s = 1; s <= 16; ++s)
    d.server(msg::PeerJoined{s, {"x" + std::to_string(s), ""}});
  ASSERT_EQ(d.sent_of<msg::AckOut>().size(), 1u);
  EXPECT_EQ(d.sent_of<msg::AckOut>()[0].seq, 16u);
}

TEST(Resume, DuplicateTriggersReAck) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.server(msg::PeerJoined{1, {"p3", ""}});
  d.advance(200);
  d.clear();
  d.server(msg::PeerJoined{1, {"p3", ""}});
  d.advance(200);
  ASSERT_EQ(d.sent_of<msg::AckOut>().size(), 1u);
  EXPECT_EQ(d.sent_of<msg::AckOut>()[0].seq, 1u);
}

TEST(Resume, WelcomeReconcilesRoster) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}, {"p3", "carol"}});
  ASSERT_EQ(d.count<output::CreatePeerConnection>(), 2u);
  reconnect(d);
  d.clear();
  d.server(msg::Welcome{"p1", "r1", "tok-2", true, 0, {{"p3", "carol"}, {"p4", "dan"}}});
  ASSERT_EQ(d.count<output::PeerLeft>(), 1u);
  EXPECT_EQ(d.last<output::PeerLeft>()->id, "p2");
  EXPECT_EQ(d.last<output::PeerLeft>()->reason, "gone");
  ASSERT_EQ(d.count<output::ClosePeerConnection>(), 1u);
  EXPECT_EQ(d.last<output::ClosePeerConnection>()->peer, "p2");
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.last<output::PeerJoined>()->id, "p4");
  // p4 joined while we were away: it is the newcomer and will call us.
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u);
  EXPECT_EQ(d.client.peers().size(), 2u);
  EXPECT_EQ(d.client.peers().count("p3"), 1u);
  EXPECT_EQ(d.client.peers().count("p4"), 1u);
  ASSERT_TRUE(d.last<output::Joined>());
  EXPECT_TRUE(d.last<output::Joined>()->resumed);
}

TEST(Resume, SignalsToDepartedPeersAreNotResent) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}, {"p3", "carol"}});
  d.handle(input::SocketClosed{1006, "", true});
  d.handle(input::IceCandidate{"p2", cand(1)});
  d.handle(input::IceCandidate{"p3", cand(2)});
  d.advance(0);
  d.handle(input::SocketOpened{});
  d.clear();
  d.server(msg::Welcome{"p1", "r1", "tok-2", true, 0, {{"p3", "carol"}}});
  auto sent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "p3");
}

TEST(Resume, NewSelfIdReplacesAllPeerConnections) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  reconnect(d);
  d.clear();
  d.server(msg::Welcome{"p9", "r1", "tok-2", false, std::nullopt, {{"p2", "bob"}}});
  EXPECT_EQ(d.client.self_id(), "p9");
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 1u);
  auto created = d.all<output::CreatePeerConnection>();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].peer, "p2");
  EXPECT_FALSE(created[0].polite); // "p9" > "p2"
}

TEST(Resume, ServerAckReleasesOutboxEntries) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  for (int i = 0; i < 3; ++i)
    d.handle(input::IceCandidate{"p2", cand(i)});
  d.server(msg::Ack{3});
  reconnect(d);
  d.clear();
  d.server(msg::Welcome{"p1", "r1", "tok-2", true, 0, {{"p2", "bob"}}});
  EXPECT_EQ(d.sent_of<msg::SignalTo>().size(), 0u);
}

} // namespace
} // namespace rtc_signaling

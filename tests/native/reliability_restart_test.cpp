// Issue 4 rules with the virtual clock: resume after a server restart (welcome.restored), peers
// that are still resuming, repair of negotiations the outage stalled, sessions the server forgot,
// and exactly-once delivery across any number of drops.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "client_driver.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling {
namespace {

using testing::candidate_from;
using testing::ClientDriver;

Candidate cand(int i) {
  return Candidate{"candidate:" + std::to_string(i), "0", 0, std::nullopt};
}

const Description kOffer{"offer", "v=0\r\no=- 7 1 IN IP4 0.0.0.0\r\n"};

void drop_and_reopen(ClientDriver& d) {
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(d.last<output::Reconnecting>()->delay_ms);
  d.handle(input::SocketOpened{});
}

msg::Welcome welcome(std::vector<msg::PeerEntry> peers, bool resumed, bool restored,
                     std::optional<msg::Seq> ack = 0, PeerId self = "p1") {
  msg::Welcome w;
  w.id = std::move(self);
  w.room = "r1";
  w.resume = "tok-2";
  w.resumed = resumed;
  w.restored = restored;
  w.ack = ack;
  w.peers = std::move(peers);
  return w;
}

/// Our offer to `peer` is set and sent: the negotiator waits in have-local-offer.
void offer_to(ClientDriver& d, const PeerId& peer) {
  d.handle(input::NegotiationNeeded{peer});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  ASSERT_EQ(sld->type, "offer");
  d.handle(input::OperationDone{peer, sld->op_id, true, "", kOffer});
}

template <typename T> std::size_t count_for(const ClientDriver& d, const PeerId& peer) {
  std::size_t n = 0;
  for (const auto& o : d.all<T>())
    n += o.peer == peer ? 1 : 0;
  return n;
}

std::vector<msg::SignalTo> signals_to(const ClientDriver& d, const PeerId& peer) {
  std::vector<msg::SignalTo> found;
  for (const auto& s : d.sent_of<msg::SignalTo>()) {
    if (s.to == peer)
      found.push_back(s);
  }
  return found;
}

// ---- Restored sessions (server restart with the same resume secret).

TEST(Reliability_Restart, RestoredWelcomeDropsSignalsTheOldServerWasSentAndSendsTheRest) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  d.handle(input::IceCandidate{"p2", cand(1)});
  d.handle(input::IceCandidate{"p2", cand(2)});
  d.server(msg::Ack{1});
  d.handle(input::SocketClosed{1006, "", true});
  d.handle(input::IceCandidate{"p2", cand(3)}); // produced while reconnecting: never sent
  d.advance(d.last<output::Reconnecting>()->delay_ms);
  d.handle(input::SocketOpened{});
  d.clear();
  d.server(welcome({{"p2", "bob"}}, true, true));
  auto sent = d.sent_of<msg::SignalTo>();
  // #2 may or may not have been relayed by the dead process: resending it could apply it twice.
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].payload, SignalPayload{cand(3)});
  EXPECT_EQ(sent[0].seq, 3u) << "numbering continues; the new process accepts any higher seq";
}

TEST(Reliability_Restart, RestoredSessionKeepsInboundNumberingAndDropsOldSeqs) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.server(candidate_from("p2", 1));
  d.server(candidate_from("p2", 2));
  drop_and_reopen(d);
  EXPECT_EQ(d.sent_of<msg::Join>().back().last_seq, std::optional<msg::Seq>(2));
  d.server(welcome({{"p2", "bob"}}, true, true));
  const auto before = d.client.stats().signals_received;
  d.server(candidate_from("p2", 2));
  EXPECT_EQ(d.client.stats().signals_received, before);
  d.server(candidate_from("p2", 3));
  EXPECT_EQ(d.client.stats().signals_received, before + 1);
}

TEST(Reliability_Restart, PeerNotYetBackKeepsItsConnectionAndGetsHeldSignalsOnReturn) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}, {"p3", "carol"}});
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  d.handle(input::ConnectionStateChanged{"p3", ConnectionState::connected});
  drop_and_reopen(d);
  d.clear();
  // We are the first back on the restarted server: carol has not resumed yet.
  d.server(welcome({{"p2", "bob"}}, true, true));
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
  EXPECT_EQ(count_for<output::ClosePeerConnection>(d, "p3"), 0u);
  EXPECT_EQ(d.client.peers().count("p3"), 1u);

  d.handle(input::IceCandidate{"p3", cand(9)});
  EXPECT_TRUE(signals_to(d, "p3").empty()) << "the server would refuse it as unknown-peer";
  d.server(msg::PeerJoined{1, {"p3", "carol"}});
  EXPECT_EQ(d.count<output::PeerJoined>(), 0u) << "carol never left";
  auto held = signals_to(d, "p3");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].payload, SignalPayload{cand(9)});
  d.advance(10 * 60'000);
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
}

TEST(Reliability_Restart, PeerThatJoinedTheRestartedServerFirstGetsOurOffer) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  drop_and_reopen(d);
  d.clear();
  // dave joined the restarted server before we resumed: he was told peer-joined for us and
  // waits for our offer, so we create his connection as a newcomer would.
  d.server(welcome({{"p2", "bob"}, {"p4", "dave"}}, true, true));
  EXPECT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(count_for<output::CreatePeerConnection>(d, "p4"), 1u);
  EXPECT_EQ(count_for<output::CreatePeerConnection>(d, "p2"), 0u) << "bob's connection is kept";
}

TEST(Reliability_Restart, PeerThatNeverReturnsIsGoneAfterTheReturnGrace) {
  auto c = testing::test_config();
  c.reconnect.max_delay_ms = 10'000;
  c.server_timeout_ms = 5'000;
  ClientDriver d(c);
  d.join_open({{"p2", "bob"}});
  drop_and_reopen(d);
  d.server(welcome({}, true, true));
  d.advance(19'999); // grace = max(20 s, max_delay + server_timeout)
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
  d.advance(1);
  auto left = d.last<output::PeerLeft>();
  ASSERT_TRUE(left);
  EXPECT_EQ(left->id, "p2");
  EXPECT_EQ(left->reason, "gone");
  EXPECT_EQ(count_for<output::ClosePeerConnection>(d, "p2"), 1u);
  EXPECT_TRUE(d.client.peers().empty());
}

TEST(Reliability_Restart, SocketDropsDoNotRestartTheReturnGrace) {
  ClientDriver d; // grace = 30 s + 25 s
  d.join_open({{"p2", "bob"}});
  drop_and_reopen(d);
  d.server(welcome({}, true, true));
  d.advance(40'000);
  drop_and_reopen(d);
  d.server(welcome({}, true, true));
  d.advance(15'000);
  ASSERT_TRUE(d.last<output::PeerLeft>());
}

TEST(Reliability_Restart, UnansweredOfferIsOfferedAgainFirst) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  offer_to(d, "p2");
  ASSERT_EQ(signals_to(d, "p2").size(), 1u);
  d.handle(input::SocketClosed{1006, "", true});
  d.handle(input::IceCandidate{"p2", cand(1)}); // queued behind the offer while offline
  d.advance(d.last<output::Reconnecting>()->delay_ms);
  d.handle(input::SocketOpened{});
  d.clear();
  d.server(welcome({{"p2", "bob"}}, true, true));
  auto sent = signals_to(d, "p2");
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].payload, SignalPayload{kOffer}) << "the repair precedes its own candidates";
  EXPECT_EQ(sent[1].payload, SignalPayload{cand(1)});
  EXPECT_LT(sent[0].seq, sent[1].seq);
}

TEST(Reliability_Restart, ReturningPeerGetsTheUnansweredOfferWhenItIsBack) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  offer_to(d, "p2");
  drop_and_reopen(d);
  d.clear();
  d.server(welcome({}, true, true));
  EXPECT_TRUE(signals_to(d, "p2").empty());
  d.server(msg::PeerJoined{1, {"p2", "bob"}});
  auto sent = signals_to(d, "p2");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].payload, SignalPayload{kOffer});
}

TEST(Reliability_Restart, StableConnectionThatIsNotConnectedRestartsIce) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}, {"p3", "carol"}});
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connecting});
  d.handle(input::ConnectionStateChanged{"p3", ConnectionState::connected});
  drop_and_reopen(d);
  d.clear();
  d.server(welcome({{"p2", "bob"}, {"p3", "carol"}}, true, true));
  std::vector<output::SetLocalDescription> restarts;
  for (const auto& s : d.all<output::SetLocalDescription>())
    restarts.push_back(s);
  ASSERT_EQ(restarts.size(), 1u) << "a connected, stable call needs no repair";
  EXPECT_EQ(restarts[0].peer, "p2");
  EXPECT_TRUE(restarts[0].ice_restart);
}

TEST(Reliability_Restart, ContinuousResumeRepairsNothingAndResendsWithSameSeqs) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connecting});
  offer_to(d, "p2");
  drop_and_reopen(d);
  d.clear();
  d.server(welcome({{"p2", "bob"}}, true, false, 0));
  auto sent = signals_to(d, "p2");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].seq, 1u) << "resent as-is: the server that kept our session dedupes it";
  EXPECT_EQ(d.count<output::SetLocalDescription>(), 0u);
}

// ---- Sessions the server forgot.

TEST(Reliability_Forgotten, NotResumedWelcomeWithSameIdRecreatesEveryConnection) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  offer_to(d, "p2");
  drop_and_reopen(d);
  d.clear();
  // E.g. the grace period expired: the room saw us leave, so bob closed his side.
  d.server(welcome({{"p2", "bob"}}, false, false, std::nullopt));
  ASSERT_EQ(d.count<output::ClosePeerConnection>(), 1u);
  auto created = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(created);
  EXPECT_EQ(created->peer, "p2");
  EXPECT_TRUE(signals_to(d, "p2").empty()) << "the old connection's offer is not sent";
  EXPECT_EQ(d.client.self_id(), "p1");
}

TEST(Reliability_Forgotten, RejectedResumeTokenStartsAFreshSessionUnderANewId) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.server(candidate_from("p2", 5));
  drop_and_reopen(d);
  d.clear();
  // An expired or foreign token: the server answers as to a stranger.
  d.server(welcome({{"p2", "bob"}}, false, false, std::nullopt, "p9"));
  EXPECT_EQ(d.client.self_id(), "p9");
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 1u);
  const auto before = d.client.stats().signals_received;
  d.server(candidate_from("p2", 1));
  EXPECT_EQ(d.client.stats().signals_received, before + 1) << "inbound numbering restarted";
  drop_and_reopen(d);
  auto join = d.sent_of<msg::Join>().back();
  EXPECT_EQ(join.resume, std::optional<std::string>("tok-2"));
  EXPECT_EQ(join.last_seq, std::optional<msg::Seq>(1));
}

// ---- Exactly once across drops (a scripted server that keeps the session, as within grace).

TEST(Reliability_ExactlyOnce, SignalsAreAppliedOnceAcrossManyRandomDrops) {
  std::mt19937 rng(7);
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  // Server state for this client.
  msg::Seq server_in = 0;        // highest client seq relayed
  std::vector<msg::Seq> relayed; // client seqs relayed, in order
  msg::Seq server_out = 0;       // last seq numbered for the client
  msg::Seq client_acked = 0;     // from the client's acks
  std::size_t frames_seen = 0;
  int produced = 0;

  auto server_reads = [&] {
    auto frames = d.all<output::SendFrame>();
    for (; frames_seen < frames.size(); ++frames_seen) {
      auto m = dialects::native::decode_client(frames[frames_seen].text, d.client.config().limits);
      auto* cm = std::get_if<msg::ClientMessage>(&m);
      ASSERT_TRUE(cm);
      if (auto* s = std::get_if<msg::SignalTo>(cm); s && s->seq > server_in) {
        relayed.push_back(s->seq);
        server_in = s->seq;
      } else if (auto* a = std::get_if<msg::AckOut>(cm)) {
        client_acked = std::max(client_acked, a->seq);
      } else if (auto* j = std::get_if<msg::Join>(cm); j && j->last_seq) {
        client_acked = std::max(client_acked, *j->last_seq);
      }
    }
  };

  for (int round = 0; round < 200; ++round) {
    switch (rng() % 5) {
    case 0:
      d.handle(input::IceCandidate{"p2", cand(++produced)});
      break;
    case 1: { // a new inbound signal, sometimes followed by a duplicate of an older one
      d.server(candidate_from("p2", ++server_out));
      if (rng() % 2 != 0 && server_out > 1)
        d.server(candidate_from("p2", 1 + rng() % (server_out - 1)));
      break;
    }
    case 2:
      if (rng() % 2 != 0)
        d.server(msg::Ack{server_in}); // acks get lost sometimes
      break;
    case 3:
      d.advance(rng() % 400);
      break;
    case 4: { // drop, resume, replay everything not acked (which may include processed ones)
      server_reads();
      d.handle(input::SocketClosed{1006, "", true});
      if (rng() % 2 != 0)
        d.handle(input::IceCandidate{"p2", cand(++produced)});
      d.advance(d.last<output::Reconnecting>()->delay_ms);
      d.handle(input::SocketOpened{});
      server_reads();
      d.server(welcome({{"p2", "bob"}}, true, false, server_in));
      for (msg::Seq s = client_acked + 1; s <= server_out; ++s)
        d.server(candidate_from("p2", s));
      break;
    }
    }
    server_reads();
    ASSERT_EQ(d.client.state(), SessionState::open);
  }
  // Let the last resends go out.
  d.server(msg::Ack{server_in});
  server_reads();
  EXPECT_EQ(d.client.stats().signals_received, server_out) << "each inbound seq applied once";
  std::set<msg::Seq> unique(relayed.begin(), relayed.end());
  EXPECT_EQ(unique.size(), relayed.size());
  EXPECT_EQ(relayed.size(), static_cast<std::size_t>(produced)) << "every outbound signal relayed";
  std::printf("[reliability] %d outbound signals relayed once, %llu inbound applied once\n",
              produced, static_cast<unsigned long long>(server_out));
}

// ---- Network awareness.

TEST(Reliability_Network, LossWhileOfflineAnnouncesNoAttemptUntilOnline) {
  ClientDriver d;
  d.join_open();
  d.handle(input::NetworkOffline{});
  d.clear();
  d.handle(input::SocketClosed{1006, "", true});
  EXPECT_EQ(d.client.state(), SessionState::reconnecting);
  EXPECT_EQ(d.count<output::Reconnecting>(), 0u) << "no misleading delay while offline";
  EXPECT_FALSE(d.client.next_deadline());
  d.handle(input::NetworkOnline{});
  auto r = d.last<output::Reconnecting>();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attempt, 1u);
  EXPECT_EQ(r->delay_ms, 0u);
  EXPECT_EQ(d.client.state(), SessionState::connecting);
}

TEST(Reliability_Network, OnlineCutsAPendingDelayShortAndSaysSo) {
  ClientDriver d;
  d.join_open();
  drop_and_reopen(d); // attempt 1 (immediate) fails to join
  d.handle(input::SocketClosed{1006, "", true});
  auto r = d.last<output::Reconnecting>();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->attempt, 2u);
  d.handle(input::NetworkOffline{});
  d.advance(60'000);
  EXPECT_EQ(d.client.state(), SessionState::reconnecting);
  d.clear();
  d.handle(input::NetworkOnline{});
  auto again = d.last<output::Reconnecting>();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempt, 2u) << "the announced attempt had not happened yet";
  EXPECT_EQ(again->delay_ms, 0u);
  EXPECT_EQ(d.count<output::OpenSocket>(), 1u);
}

TEST(Reliability_Network, OfflineTimeDoesNotUseUpMaxAttempts) {
  auto c = testing::test_config();
  c.reconnect.max_attempts = 2;
  ClientDriver d(c);
  d.join_open();
  d.handle(input::NetworkOffline{});
  for (int i = 0; i < 5; ++i) { // flapping while offline: nothing is attempted or counted
    d.handle(input::NetworkOffline{});
    d.advance(10'000);
  }
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(120'000);
  EXPECT_EQ(d.client.state(), SessionState::reconnecting);
  d.handle(input::NetworkOnline{});
  EXPECT_EQ(d.last<output::Reconnecting>()->attempt, 1u);
  d.handle(input::SocketClosed{1006, "", false});
  d.handle(input::HttpResponse{d.last<output::HttpRequest>()->id, 0, ""});
  EXPECT_EQ(d.last<output::Reconnecting>()->attempt, 2u);
  d.advance(d.last<output::Reconnecting>()->delay_ms);
  d.handle(input::SocketClosed{1006, "", false});
  d.handle(input::HttpResponse{d.last<output::HttpRequest>()->id, 0, ""});
  EXPECT_EQ(d.client.state(), SessionState::closed);
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, errc::reconnect_exhausted);
  EXPECT_TRUE(e->fatal);
}

TEST(Reliability_Network, ReconnectingEventsCarryAttemptAndTheDelayActuallyWaited) {
  auto c = testing::test_config();
  c.reconnect.initial_delay_ms = 100;
  c.reconnect.max_delay_ms = 1'000;
  ClientDriver d(c);
  d.join_open();
  d.handle(input::SocketClosed{1006, "", true});
  for (std::uint32_t attempt = 1; attempt <= 6; ++attempt) {
    auto r = d.last<output::Reconnecting>();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->attempt, attempt);
    const auto opens = d.count<output::OpenSocket>();
    if (r->delay_ms > 0) {
      d.advance(r->delay_ms - 1);
      EXPECT_EQ(d.count<output::OpenSocket>(), opens) << "attempt " << attempt << " too early";
    }
    d.advance(r->delay_ms == 0 ? 0 : 1);
    EXPECT_EQ(d.count<output::OpenSocket>(), opens + 1);
    d.handle(input::SocketOpened{});
    d.handle(input::SocketClosed{1006, "", true});
  }
}

// ---- Half-open sockets.

TEST(Reliability_HalfOpen, SilentSocketIsClosedAtServerTimeoutAndResumed) {
  auto c = testing::test_config();
  c.ping_interval_ms = 2'000;
  c.server_timeout_ms = 5'000;
  ClientDriver d(c);
  d.join_open({{"p2", "bob"}});
  d.server(candidate_from("p2", 1));
  d.advance(1'000);
  d.server(msg::Pong{}); // last sign of life at t=1000
  const TimeMs last_heard = d.now;
  d.clear();
  // From here frames stop both ways without a close: the pings go nowhere.
  d.advance(4'999);
  EXPECT_GE(d.sent_of<msg::Ping>().size(), 1u);
  EXPECT_EQ(d.count<output::CloseSocket>(), 0u);
  d.advance(1);
  auto closed = d.last<output::CloseSocket>();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 4000);
  EXPECT_EQ(d.now - last_heard, 5'000);
  EXPECT_EQ(d.client.state(), SessionState::connecting) << "first attempt is immediate";
  d.handle(input::SocketOpened{});
  auto join = d.sent_of<msg::Join>().back();
  EXPECT_EQ(join.resume, std::optional<std::string>("tok-1"));
  EXPECT_EQ(join.last_seq, std::optional<msg::Seq>(1));
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 0u) << "the call outlives the signaling";
}

TEST(Reliability_Calls, NoPeerConnectionIsClosedWhileReconnecting) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}, {"p3", "carol"}});
  for (int i = 0; i < 10; ++i) {
    d.handle(input::SocketClosed{1006, "", true});
    d.advance(d.last<output::Reconnecting>()->delay_ms);
    d.handle(input::SocketClosed{1006, "", false});
    d.handle(input::HttpResponse{d.last<output::HttpRequest>()->id, 0, ""});
    d.advance(d.last<output::Reconnecting>()->delay_ms);
    d.handle(input::SocketOpened{});
    d.server(welcome({{"p2", "bob"}, {"p3", "carol"}}, true, i % 2 == 0, 0));
  }
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 0u);
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
  EXPECT_EQ(d.client.peers().size(), 2u);
}

} // namespace
} // namespace rtc_signaling

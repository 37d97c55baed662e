// The client's parts on their own (sdk/src/client/): each is driven through a shared Context,
// without the Client that wires them, so a rule can be read and tested where it lives.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "client/context.hpp"
#include "client/peer_table.hpp"
#include "client/reliable_stream.hpp"
#include "client/session.hpp"
#include "client_driver.hpp"
#include "dialects/native.hpp"
#include "negotiation/policy.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling::testing {
namespace {

using core::Context;
using core::PeerTable;
using core::ReliableStream;
using core::SocketState;
using core::Timer;

/// A context in the room on an open socket, and the frames it sent decoded as the server would.
struct Parts : ::testing::Test {
  Context ctx{test_config()};
  std::set<PeerId> waiting;
  ReliableStream stream{ctx, [this](const PeerId& id) { return waiting.count(id) != 0; }};

  void open() {
    ctx.socket = SocketState::open;
    ctx.state = SessionState::open;
    ctx.self_id = "p1";
  }

  std::vector<msg::ClientMessage> sent() {
    std::vector<msg::ClientMessage> msgs;
    for (const auto& o : ctx.outputs) {
      if (const auto* f = std::get_if<output::SendFrame>(&o)) {
        auto d = dialects::native::decode_client(f->text, ctx.config.limits);
        if (auto* m = std::get_if<msg::ClientMessage>(&d))
          msgs.push_back(*m);
      }
    }
    return msgs;
  }
  template <typename T> std::vector<T> sent_of() {
    std::vector<T> found;
    for (const auto& m : sent()) {
      if (const auto* t = std::get_if<T>(&m))
        found.push_back(*t);
    }
    return found;
  }
  template <typename T> std::vector<T> emitted() const {
    std::vector<T> found;
    for (const auto& o : ctx.outputs) {
      if (const auto* t = std::get_if<T>(&o))
        found.push_back(*t);
    }
    return found;
  }
};

Candidate candidate(int n) {
  return Candidate{"candidate:" + std::to_string(n) + " 1 udp 1 10.0.0.1 5000 typ host", "0", 0,
                   std::nullopt};
}

// ---------------------------------------------------------------- ReliableStream

using ReliableStreamTest = Parts;

TEST_F(ReliableStreamTest, AcksAreBatchedAndDuplicatesDroppedButReacked) {
  open();
  for (msg::Seq s = 1; s < ReliableStream::kAckEvery; ++s)
    EXPECT_TRUE(stream.accept(s, 0));
  EXPECT_TRUE(sent_of<msg::AckOut>().empty()) << "below kAckEvery the ack waits for its timer";
  EXPECT_EQ(ctx.timers.get(Timer::ack), ReliableStream::kAckDelayMs);
  EXPECT_TRUE(stream.accept(ReliableStream::kAckEvery, 0));
  ASSERT_EQ(sent_of<msg::AckOut>().size(), 1u);
  EXPECT_EQ(sent_of<msg::AckOut>()[0].seq, ReliableStream::kAckEvery);

  EXPECT_FALSE(stream.accept(3, 10)) << "a duplicate is dropped";
  ASSERT_TRUE(ctx.timers.armed(Timer::ack)) << "and means the server missed our ack";
  stream.flush_ack(10 + ReliableStream::kAckDelayMs);
  ASSERT_EQ(sent_of<msg::AckOut>().size(), 2u);
  EXPECT_EQ(sent_of<msg::AckOut>()[1].seq, ReliableStream::kAckEvery);
  EXPECT_TRUE(stream.accept(std::nullopt, 20)) << "unsequenced messages always pass";
}

TEST_F(ReliableStreamTest, JoinCarriesResumeOnlyAfterAWelcome) {
  msg::Join first{"r1", "alice", std::nullopt, std::nullopt, std::nullopt};
  stream.prepare_join(first);
  EXPECT_FALSE(first.resume);

  msg::Welcome w;
  w.id = "p1";
  w.resume = "tok-1";
  w.secret = "s3cret";
  stream.on_welcome(w, false, false);
  open();
  EXPECT_TRUE(stream.accept(7, 0));

  msg::Join again{"r1", "alice", std::nullopt, std::nullopt, std::nullopt};
  stream.prepare_join(again);
  EXPECT_EQ(again.resume, "tok-1");
  EXPECT_EQ(again.secret, "s3cret");
  EXPECT_EQ(again.last_seq, 7u);

  msg::Welcome resumed;
  resumed.id = "p1";
  resumed.resumed = true;
  resumed.resume = "tok-2";
  stream.on_welcome(resumed, false, false);
  msg::Join third{"r1", "alice", std::nullopt, std::nullopt, std::nullopt};
  stream.prepare_join(third);
  EXPECT_EQ(third.resume, "tok-2");
  EXPECT_EQ(third.secret, "s3cret") << "a resumed welcome keeps the first one's secret";
}

TEST_F(ReliableStreamTest, SignalsWaitUntilOpenThenLeaveInOrderWithSeqs) {
  stream.send_signal("p2", candidate(1), 0);
  stream.send_signal("p2", candidate(2), 0);
  EXPECT_TRUE(sent().empty()) << "nothing goes out before the session is open";
  EXPECT_EQ(stream.outbox().size(), 2u);

  open();
  stream.flush(0, true);
  const auto sent = sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].seq, 1u);
  EXPECT_EQ(sent[1].seq, 2u);
  EXPECT_EQ(std::get<Candidate>(sent[1].payload), candidate(2));
  EXPECT_EQ(ctx.stats.signals_sent, 2u);
  EXPECT_EQ(stream.outbox().size(), 2u) << "kept until the server acknowledges them";
  stream.acked(2);
  EXPECT_EQ(stream.outbox().size(), 0u);
}

TEST_F(ReliableStreamTest, SignalsToAWaitingPeerAreHeldAndOthersPass) {
  open();
  waiting.insert("p2");
  stream.send_signal("p2", candidate(1), 0);
  stream.send_signal("p3", candidate(2), 0);
  auto sent = sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, "p3");
  waiting.clear();
  stream.flush(1, false);
  sent = sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].to, "p2");
}

TEST_F(ReliableStreamTest, InvalidAndOversizedSignalsAreRefusedWithAnError) {
  open();
  ctx.config.limits.max_frame_bytes = 200;
  stream.send_signal("p2", Description{"offer", "v=0\r\na=" + std::string(190, 'x') + "\r\n"}, 0);
  stream.send_signal("p2", Description{"bogus", "v=0"}, 0);
  const auto errors = emitted<output::Error>();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, errc::message_too_large);
  EXPECT_EQ(errors[1].code, errc::bad_message);
  EXPECT_EQ(stream.outbox().size(), 0u);
}

TEST_F(ReliableStreamTest, ARestoredServerForgetsWhatItWasSent) {
  msg::Welcome w;
  w.id = "p1";
  w.resume = "tok-1";
  stream.on_welcome(w, false, false);
  open();
  stream.send_signal("p2", candidate(1), 0);
  ASSERT_EQ(stream.outbox().size(), 1u);
  ctx.socket = SocketState::none;
  stream.send_signal("p2", candidate(2), 0); // queued, never sent
  stream.on_welcome(w, /*restored=*/true, false);
  ASSERT_EQ(stream.outbox().size(), 1u);
  EXPECT_EQ(stream.outbox().entries().front().payload, SignalPayload{candidate(2)});
}

// ---------------------------------------------------------------- PeerTable

struct PeerTableTest : Parts {
  PeerTable peers{ctx, stream};
};

TEST_F(PeerTableTest, ANewcomerOpensAConnectionToEveryoneWithIdOrderPoliteness) {
  open();
  const auto diff = peers.reconcile({{"p0", "zed"}, {"p2", "bob"}}, false, 0);
  peers.announce(diff, /*newcomer=*/true, false, 0);
  const auto joined = emitted<output::PeerJoined>();
  ASSERT_EQ(joined.size(), 2u);
  const auto created = emitted<output::CreatePeerConnection>();
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].peer, "p0");
  EXPECT_FALSE(created[0].polite) << "p1 > p0";
  EXPECT_EQ(created[1].peer, "p2");
  EXPECT_TRUE(created[1].polite) << "p1 < p2";
}

TEST_F(PeerTableTest, ASignalFromOurselvesOrAStrangerIsDroppedWithAnError) {
  open();
  peers.on_signal(offer_from("p1", 1), 0);
  peers.on_signal(offer_from("p9", 2), 0);
  const auto errors = emitted<output::Error>();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, errc::bad_message);
  EXPECT_EQ(errors[1].code, errc::bad_message);
  EXPECT_EQ(ctx.stats.frames_dropped, 2u);
  EXPECT_TRUE(emitted<output::CreatePeerConnection>().empty());
}

TEST_F(PeerTableTest, AnExistingMemberAnswersTheNewcomersOfferAsTheCallee) {
  open();
  peers.on_peer_joined(msg::PeerJoined{1, {"p2", "bob"}, false}, 0);
  peers.on_signal(candidate_from("p2", 2), 0);
  EXPECT_TRUE(emitted<output::CreatePeerConnection>().empty())
      << "a candidate before any description has no connection to apply to";
  peers.on_signal(offer_from("p2", 3), 0);
  ASSERT_EQ(emitted<output::CreatePeerConnection>().size(), 1u);
  EXPECT_EQ(emitted<output::SetRemoteDescription>().size(), 1u);
}

TEST_F(PeerTableTest, PeersMissingAfterARestartAreKeptForTheGraceThenGone) {
  open();
  peers.announce(peers.reconcile({{"p2", "bob"}}, false, 0), true, false, 0);
  ctx.outputs.clear();

  // The restarted server lists nobody yet.
  peers.announce(peers.reconcile({}, /*restored=*/true, 1'000), false, true, 1'000);
  EXPECT_TRUE(peers.contains("p2"));
  EXPECT_TRUE(peers.returning("p2"));
  EXPECT_TRUE(emitted<output::PeerLeft>().empty());
  const auto deadline = ctx.timers.get(Timer::returning);
  ASSERT_TRUE(deadline);
  EXPECT_GE(*deadline, 1'000 + 20'000);

  peers.on_timeout(*deadline);
  ASSERT_EQ(emitted<output::PeerLeft>().size(), 1u);
  EXPECT_EQ(emitted<output::PeerLeft>()[0].reason, "gone");
  EXPECT_EQ(emitted<output::ClosePeerConnection>().size(), 1u);
  EXPECT_FALSE(peers.contains("p2"));
}

TEST_F(PeerTableTest, AReturningPeerComesBackWithoutAJoinEvent) {
  open();
  peers.announce(peers.reconcile({{"p2", "bob"}}, false, 0), true, false, 0);
  peers.announce(peers.reconcile({}, true, 1'000), false, true, 1'000);
  ctx.outputs.clear();
  peers.on_peer_joined(msg::PeerJoined{1, {"p2", "bob"}, false}, 2'000);
  EXPECT_FALSE(peers.returning("p2"));
  EXPECT_TRUE(emitted<output::PeerJoined>().empty()) << "it never left";
}

TEST_F(PeerTableTest, CloseAllClosesEveryConnection) {
  open();
  peers.announce(peers.reconcile({{"p2", "bob"}, {"p3", "cy"}}, false, 0), true, false, 0);
  ctx.outputs.clear();
  peers.close_all();
  EXPECT_EQ(emitted<output::ClosePeerConnection>().size(), 2u);
  EXPECT_FALSE(peers.next_deadline());
}

// ---------------------------------------------------------------- Session

struct SessionTest : PeerTableTest {
  core::Session session{ctx, stream, peers};
};

TEST_F(SessionTest, AnInvalidConfigEndsTheSessionBeforeAnySocket) {
  ctx.config.room.clear();
  session.on_join(0);
  EXPECT_EQ(ctx.state, SessionState::closed);
  const auto errors = emitted<output::Error>();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, errc::invalid_config);
  EXPECT_TRUE(errors[0].fatal);
  EXPECT_TRUE(emitted<output::OpenSocket>().empty());
}

TEST_F(SessionTest, ARefusedUpgradeIsProbedAndA401IsFatal) {
  session.on_join(0);
  ASSERT_EQ(emitted<output::OpenSocket>().size(), 1u);
  session.on_socket_closed(input::SocketClosed{1006, "", false}, 5);
  const auto probes = emitted<output::HttpRequest>();
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].url.rfind("http://server.test/signal", 0), 0u);
  session.on_http_response(input::HttpResponse{probes[0].id, 401, ""}, 10);
  EXPECT_EQ(ctx.state, SessionState::closed);
  EXPECT_EQ(emitted<output::Error>().back().code, errc::unauthorized);
}

TEST_F(SessionTest, ALostSocketBacksOffAndTheRetryOpensANewOne) {
  session.on_join(0);
  session.on_socket_opened(1);
  ASSERT_EQ(ctx.state, SessionState::joining);
  EXPECT_EQ(sent_of<msg::Join>().size(), 1u);
  session.on_socket_closed(input::SocketClosed{1006, "", true}, 2);
  EXPECT_EQ(ctx.state, SessionState::reconnecting);
  const auto announced = emitted<output::Reconnecting>();
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].attempt, 1u);
  const auto retry_at = ctx.timers.get(Timer::retry);
  ASSERT_TRUE(retry_at);
  EXPECT_EQ(*retry_at, 2 + announced[0].delay_ms);
  ASSERT_TRUE(session.on_timeout(*retry_at));
  EXPECT_EQ(ctx.state, SessionState::connecting);
  EXPECT_EQ(emitted<output::OpenSocket>().size(), 2u);
}

TEST_F(SessionTest, ASilentServerIsClosedWith4000) {
  ctx.config.connect_timeout_ms = 10 * ctx.config.server_timeout_ms;
  session.on_join(0);
  session.on_socket_opened(1);
  ctx.outputs.clear();
  session.on_timeout(1 + ctx.config.server_timeout_ms);
  const auto closes = emitted<output::CloseSocket>();
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].code, 4000);
  EXPECT_EQ(emitted<output::Reconnecting>().size(), 1u);
}

// ---------------------------------------------------------------- negotiation policy

TEST(NegotiationPolicy, BothEndsAgreeOnExactlyOnePoliteSide) {
  using negotiation::is_polite;
  using negotiation::Policy;
  EXPECT_NE(is_polite(Policy::perfect_by_id, "a", "b", true),
            is_polite(Policy::perfect_by_id, "b", "a", false));
  EXPECT_TRUE(is_polite(Policy::perfect_by_id, "a", "b", true)) << "the smaller id is polite";
  EXPECT_FALSE(is_polite(Policy::perfect_by_call_direction, "", "b", true)) << "caller";
  EXPECT_TRUE(is_polite(Policy::perfect_by_call_direction, "", "a", false)) << "callee";
}

TEST(NegotiationPolicy, DialectsNameTheirs) {
  Config c = test_config();
  EXPECT_EQ(dialects::make_dialect(c)->negotiation_policy(), negotiation::Policy::perfect_by_id);
  c.dialect = Dialect::signalr;
  c.signalr.contract = SignalrContract::signalrtc;
  c.signalr.skip_negotiation = true;
  EXPECT_EQ(dialects::make_dialect(c)->negotiation_policy(),
            negotiation::Policy::perfect_by_call_direction)
      << "without negotiate the signalrtc hub never tells us our id";
}

} // namespace
} // namespace rtc_signaling::testing

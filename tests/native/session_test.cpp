// The session lifecycle (docs/ARCHITECTURE.md#the-session): the transition table and the Client behaviour around it.
#include <gtest/gtest.h>

#include "client_driver.hpp"
#include "rtc_signaling/error.hpp"
#include "session_machine.hpp"

namespace rtc_signaling {
namespace {

using core::SessionEvent;
using testing::ClientDriver;
using testing::test_config;

// ---- The table itself.

struct Row {
  SessionState from;
  SessionEvent event;
  std::optional<SessionState> to;
};

TEST(Session_TransitionTable, EveryStateAndEventHasTheDocumentedOutcome) {
  using S = SessionState;
  using E = SessionEvent;
  const std::vector<Row> rows = {
      {S::idle, E::join, S::connecting},
      {S::idle, E::socket_opened, std::nullopt},
      {S::idle, E::welcome, std::nullopt},
      {S::idle, E::connection_lost, std::nullopt},
      {S::idle, E::retry, std::nullopt},
      {S::idle, E::fatal, S::closed},
      {S::idle, E::leave, S::closed},
      {S::idle, E::park, std::nullopt},
      {S::idle, E::wake, std::nullopt},

      {S::connecting, E::join, std::nullopt},
      {S::connecting, E::socket_opened, S::joining},
      {S::connecting, E::welcome, std::nullopt},
      {S::connecting, E::connection_lost, S::reconnecting},
      {S::connecting, E::retry, std::nullopt},
      {S::connecting, E::fatal, S::closed},
      {S::connecting, E::leave, S::closed},
      {S::connecting, E::park, std::nullopt},
      {S::connecting, E::wake, std::nullopt},

      {S::joining, E::join, std::nullopt},
      {S::joining, E::socket_opened, std::nullopt},
      {S::joining, E::welcome, S::open},
      {S::joining, E::connection_lost, S::reconnecting},
      {S::joining, E::retry, std::nullopt},
      {S::joining, E::fatal, S::closed},
      {S::joining, E::leave, S::closed},
      {S::joining, E::park, std::nullopt},
      {S::joining, E::wake, std::nullopt},

      {S::open, E::join, std::nullopt},
      {S::open, E::socket_opened, std::nullopt},
      {S::open, E::welcome, std::nullopt},
      {S::open, E::connection_lost, S::reconnecting},
      {S::open, E::retry, std::nullopt},
      {S::open, E::fatal, S::closed},
      {S::open, E::leave, S::closed},
      {S::open, E::park, S::dormant},
      {S::open, E::wake, std::nullopt},

      {S::reconnecting, E::join, std::nullopt},
      {S::reconnecting, E::socket_opened, std::nullopt},
      {S::reconnecting, E::welcome, std::nullopt},
      {S::reconnecting, E::connection_lost, std::nullopt},
      {S::reconnecting, E::retry, S::connecting},
      {S::reconnecting, E::fatal, S::closed},
      {S::reconnecting, E::leave, S::closed},
      {S::reconnecting, E::park, std::nullopt},
      {S::reconnecting, E::wake, std::nullopt},

      {S::dormant, E::join, std::nullopt},
      {S::dormant, E::socket_opened, std::nullopt},
      {S::dormant, E::welcome, std::nullopt},
      {S::dormant, E::connection_lost, std::nullopt},
      {S::dormant, E::retry, std::nullopt},
      {S::dormant, E::fatal, S::closed},
      {S::dormant, E::leave, S::closed},
      {S::dormant, E::park, std::nullopt},
      {S::dormant, E::wake, S::connecting},

      {S::closed, E::join, std::nullopt},
      {S::closed, E::socket_opened, std::nullopt},
      {S::closed, E::welcome, std::nullopt},
      {S::closed, E::connection_lost, std::nullopt},
      {S::closed, E::retry, std::nullopt},
      {S::closed, E::fatal, std::nullopt},
      {S::closed, E::leave, std::nullopt},
      {S::closed, E::park, std::nullopt},
      {S::closed, E::wake, std::nullopt},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(core::transition(r.from, r.event), r.to)
        << to_string(r.from) << " + " << core::to_string(r.event);
  }
}

// ---- Joining.

TEST(Session, JoinOpensSocketWithRoomAndTokenInQuery) {
  auto c = test_config();
  c.room = "my room";
  c.token = "a+b/c";
  ClientDriver d(c);
  d.handle(input::Join{});
  EXPECT_EQ(d.client.state(), SessionState::connecting);
  ASSERT_EQ(d.count<output::OpenSocket>(), 1u);
  EXPECT_EQ(d.last<output::OpenSocket>()->url,
            "ws://server.test/signal?room=my%20room&access_token=a%2Bb%2Fc");
}

TEST(Session, SocketOpenSendsJoinFrameAndWelcomeOpensTheSession) {
  ClientDriver d;
  d.handle(input::Join{});
  d.handle(input::SocketOpened{});
  EXPECT_EQ(d.client.state(), SessionState::joining);
  auto joins = d.sent_of<msg::Join>();
  ASSERT_EQ(joins.size(), 1u);
  EXPECT_EQ(joins[0], (msg::Join{"r1", "alice", std::nullopt, std::nullopt}));

  d.clear();
  d.server(msg::Welcome{"p1", "r1", "tok", false, 0, {{"p2", "bob"}, {"p0", "zed"}}});
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_EQ(d.client.self_id(), "p1");
  ASSERT_EQ(d.client.peers().size(), 2u);
  // Order the JS layer relies on: Joined, open, then the peers.
  ASSERT_GE(d.outputs.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<output::Joined>(d.outputs[0]));
  EXPECT_EQ(std::get<output::StateChanged>(d.outputs[1]).state, SessionState::open);
  EXPECT_EQ(d.count<output::PeerJoined>(), 2u);
}

TEST(Session, NewcomerCreatesPeerConnectionsWithBytewisePoliteness) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}, {"p0", "zed"}}, "p1");
  auto created = d.all<output::CreatePeerConnection>();
  ASSERT_EQ(created.size(), 2u);
  for (const auto& c : created) {
    // p1 < p2: we are polite towards p2; p0 < p1: impolite towards p0.
    EXPECT_EQ(c.polite, c.peer == "p2") << c.peer;
  }
}

TEST(Session, ExistingMemberCreatesNoConnectionWhenSomeoneJoins) {
  ClientDriver d;
  d.join_open();
  d.server(msg::PeerJoined{1, {"p2", "bob"}});
  EXPECT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u);
}

TEST(Session, NameIsTruncatedAtUtf8BoundaryOnSend) {
  auto c = test_config();
  c.limits.max_name_bytes = 4;
  c.name = "ab\xC3\xA9\xC3\xA9"; // "abéé": the cut at 4 bytes would split the second é
  ClientDriver d(c);
  d.handle(input::Join{});
  d.handle(input::SocketOpened{});
  auto joins = d.sent_of<msg::Join>();
  ASSERT_EQ(joins.size(), 1u);
  EXPECT_EQ(joins[0].name, "ab\xC3\xA9");
}

TEST(Session, InvalidConfigIsFatal) {
  auto c = test_config();
  c.url = "http://server.test/signal";
  ClientDriver d(c);
  d.handle(input::Join{});
  EXPECT_EQ(d.client.state(), SessionState::closed);
  ASSERT_EQ(d.count<output::Error>(), 1u);
  EXPECT_EQ(d.last<output::Error>()->code, errc::invalid_config);
  EXPECT_TRUE(d.last<output::Error>()->fatal);
  EXPECT_EQ(d.count<output::OpenSocket>(), 0u);
}

TEST(Session, TokenProviderIsAskedBeforeEveryAttempt) {
  auto c = test_config();
  c.token_provider = true;
  ClientDriver d(c);
  d.handle(input::Join{});
  EXPECT_EQ(d.count<output::RequestToken>(), 1u);
  EXPECT_EQ(d.count<output::OpenSocket>(), 0u);
  d.handle(input::TokenProvided{"t1", ""});
  ASSERT_EQ(d.count<output::OpenSocket>(), 1u);
  EXPECT_EQ(d.last<output::OpenSocket>()->url, "ws://server.test/signal?room=r1&access_token=t1");
  d.handle(input::SocketOpened{});
  d.server(msg::Welcome{"p1", "r1", "tok", false, 0, {}});
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(0); // attempt 1 is immediate
  EXPECT_EQ(d.count<output::RequestToken>(), 2u);
}

TEST(Session, FailingTokenProviderBacksOffWithNonFatalError) {
  auto c = test_config();
  c.token_provider = true;
  ClientDriver d(c);
  d.handle(input::Join{});
  d.handle(input::TokenProvided{std::nullopt, "boom"});
  EXPECT_EQ(d.client.state(), SessionState::reconnecting);
  ASSERT_EQ(d.count<output::Error>(), 1u);
  EXPECT_EQ(d.last<output::Error>()->code, errc::token_failed);
  EXPECT_FALSE(d.last<output::Error>()->fatal);
}

// ---- Leaving and fatal errors.

TEST(Session, LeaveSendsLeaveFrameClosesSocketAndPeerConnections) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.handle(input::Leave{});
  EXPECT_EQ(d.client.state(), SessionState::closed);
  ASSERT_EQ(d.sent_of<msg::Leave>().size(), 1u);
  ASSERT_EQ(d.count<output::CloseSocket>(), 1u);
  EXPECT_EQ(d.last<output::CloseSocket>()->code, 1000);
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 1u);
  EXPECT_EQ(d.count<output::Error>(), 0u);
  EXPECT_FALSE(d.client.next_deadline().has_value());
}

TEST(Session, FatalRoomFullErrorFrameClosesWithoutReconnect) {
  ClientDriver d;
  d.handle(input::Join{});
  d.handle(input::SocketOpened{});
  d.server(msg::ServerError{"room-full", "room r1 is full", true});
  EXPECT_EQ(d.client.state(), SessionState::closed);
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, errc::room_full);
  EXPECT_TRUE(e->fatal);
  d.handle(input::SocketClosed{4409, "room full", true});
  d.advance(60'000);
  EXPECT_EQ(d.count<output::OpenSocket>(), 1u);
  EXPECT_EQ(d.count<output::Reconnecting>(), 0u);
}

TEST(Session, NonFatalServerErrorKeepsSessionOpen) {
  ClientDriver d;
  d.join_open();
  d.server(msg::ServerError{"rate-limited", "slow down", false});
  EXPECT_EQ(d.client.state(), SessionState::open);
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, errc::server_error);
  EXPECT_EQ(e->message, "rate-limited: slow down");
  EXPECT_FALSE(e->fatal);
}

TEST(Session, ASignalThatCrossedItsPeersDepartureIsNoErrorForTheApp) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.server(msg::ServerError{"unknown-peer", "no peer \"p2\" in room \"r1\"", false});
  EXPECT_EQ(d.count<output::Error>(), 0u) << "the peer-left on its way says it all";
  EXPECT_EQ(d.client.state(), SessionState::open);
  d.server(msg::PeerLeft{std::nullopt, "p2", "left"});
  EXPECT_EQ(d.count<output::PeerLeft>(), 1u);
}

TEST(Session, FatalFlagWithUnknownCodeIsNotFatal) {
  ClientDriver d;
  d.join_open();
  d.server(msg::ServerError{"something-new", "", true});
  EXPECT_EQ(d.client.state(), SessionState::open);
}

// ---- Losing the connection.

TEST(Session, LostSocketReconnectsImmediatelyOnFirstAttempt) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.handle(input::SocketClosed{1006, "", true});
  EXPECT_EQ(d.client.state(), SessionState::reconnecting);
  auto r = d.last<output::Reconnecting>();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attempt, 1u);
  EXPECT_EQ(r->delay_ms, 0u);
  // Peer connections survive a signaling outage.
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 0u);
  EXPECT_EQ(d.client.peers().size(), 1u);
  d.advance(0);
  EXPECT_EQ(d.client.state(), SessionState::connecting);
  EXPECT_EQ(d.count<output::OpenSocket>(), 1u);
}

TEST(Session, ReconnectDelaysGrowWithinFullJitterBounds) {
  auto c = test_config();
  ClientDriver d(c);
  d.join_open();
  for (std::uint32_t attempt = 1; attempt <= 8; ++attempt) {
    d.clear();
    d.handle(input::SocketClosed{1006, "", true});
    if (d.client.state() == SessionState::connecting) {
      // The socket failed during an attempt: it never opened.
    }
    auto r = d.last<output::Reconnecting>();
    ASSERT_TRUE(r) << attempt;
    EXPECT_EQ(r->attempt, attempt);
    const std::uint64_t cap =
        attempt == 1 ? 0 : std::min<std::uint64_t>(30'000, 500ull << (attempt - 1));
    EXPECT_LE(r->delay_ms, cap) << attempt;
    d.advance(r->delay_ms);
    ASSERT_EQ(d.client.state(), SessionState::connecting) << attempt;
    d.handle(input::SocketOpened{});
  }
}

TEST(Session, ServerSilenceClosesSocketAndReconnects) {
  ClientDriver d;
  d.join_open();
  d.clear();
  d.advance(24'999);
  EXPECT_EQ(d.client.state(), SessionState::open);
  d.advance(1);
  EXPECT_EQ(d.count<output::Reconnecting>(), 1u);
  ASSERT_EQ(d.count<output::CloseSocket>(), 1u);
  EXPECT_EQ(d.last<output::CloseSocket>()->code, 4000);
}

TEST(Session, IncomingFramesKeepServerAlive) {
  ClientDriver d;
  d.join_open();
  for (int i = 0; i < 10; ++i) {
    d.advance(20'000);
    d.server(msg::Pong{});
  }
  EXPECT_EQ(d.client.state(), SessionState::open);
}

TEST(Session, HeartbeatPingsAfterIdleInterval) {
  ClientDriver d;
  d.join_open();
  d.clear();
  d.advance(9'999);
  EXPECT_EQ(d.sent_of<msg::Ping>().size(), 0u);
  d.advance(1);
  EXPECT_EQ(d.sent_of<msg::Ping>().size(), 1u);
  d.server(msg::Pong{});
  d.advance(10'000);
  EXPECT_EQ(d.sent_of<msg::Ping>().size(), 2u);
}

TEST(Session, OutgoingTrafficPostponesThePing) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.advance(6'000);
  d.handle(input::IceCandidate{"p2", std::nullopt}); // sends a signal frame
  ASSERT_EQ(d.sent_of<msg::SignalTo>().size(), 1u);
  d.advance(9'999);
  EXPECT_EQ(d.sent_of<msg::Ping>().size(), 0u);
  d.advance(1);
  EXPECT_EQ(d.sent_of<msg::Ping>().size(), 1u);
}

TEST(Session, SilentSocketThatNeverOpensCountsAsLost) {
  ClientDriver d;
  d.join_open();
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(0);
  ASSERT_EQ(d.client.state(), SessionState::connecting);
  d.advance(24'999);
  EXPECT_EQ(d.count<output::Reconnecting>(), 1u);
  d.advance(1);
  EXPECT_EQ(d.count<output::Reconnecting>(), 2u);
  EXPECT_EQ(d.last<output::CloseSocket>()->code, 4000);
}

// ---- Probe after a refused upgrade.

struct ProbeCase {
  int status;
  std::optional<std::string> fatal_code;
};

TEST(Session_Probe, StatusDecidesBetweenFatalAndBackoff) {
  const std::vector<ProbeCase> cases = {
      {401, std::string(errc::unauthorized)},
      {403, std::string(errc::forbidden)},
      {426, std::nullopt},
      {0, std::nullopt},
      {500, std::nullopt},
  };
  for (const auto& pc : cases) {
    ClientDriver d;
    d.handle(input::Join{});
    d.handle(input::SocketClosed{1006, "", false});
    auto req = d.last<output::HttpRequest>();
    ASSERT_TRUE(req);
    EXPECT_EQ(req->method, "GET");
    EXPECT_EQ(req->url, "http://server.test/signal?room=r1");
    EXPECT_EQ(d.client.state(), SessionState::connecting);
    d.handle(input::HttpResponse{req->id, pc.status, ""});
    if (pc.fatal_code) {
      EXPECT_EQ(d.client.state(), SessionState::closed) << pc.status;
      auto e = d.last<output::Error>();
      ASSERT_TRUE(e);
      EXPECT_EQ(e->code, *pc.fatal_code);
      EXPECT_TRUE(e->fatal);
    } else {
      EXPECT_EQ(d.client.state(), SessionState::reconnecting) << pc.status;
      // Not fatal, but said: connect()'s eventual timeout carries it as its cause.
      ASSERT_EQ(d.count<output::Error>(), 1u) << pc.status;
      auto e = d.last<output::Error>();
      EXPECT_EQ(e->code, errc::connect_failed);
      EXPECT_FALSE(e->fatal);
      EXPECT_NE(e->message.find("http://server.test/signal"), std::string::npos) << e->message;
      EXPECT_EQ(e->message.find('?'), std::string::npos) << "no query in messages: " << e->message;
      const char* says = pc.status == 0     ? "connection refused, unknown host or TLS failure"
                         : pc.status == 426 ? "is a WebSocket endpoint"
                                            : "answered HTTP 500";
      EXPECT_NE(e->message.find(says), std::string::npos) << e->message;
    }
  }
}

TEST(Session_Probe, ASilentProbeIsSaidAndATokenInTheUrlNeverIs) {
  auto c = test_config();
  c.url = "ws://server.test/wrong?access_token=s3cret";
  c.connect_timeout_ms = 600'000;
  ClientDriver d(c);
  d.handle(input::Join{});
  d.handle(input::SocketClosed{1006, "", false});
  auto req = d.last<output::HttpRequest>();
  ASSERT_TRUE(req);
  d.handle(input::HttpResponse{req->id, 404, ""});
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "http://server.test/wrong answered HTTP 404 instead of a WebSocket (is the path right?)");
  d.clear();
  d.advance(60'000); // the next attempt's socket never answers either way
  ASSERT_TRUE(d.last<output::OpenSocket>()) << "retried";
  d.handle(input::SocketClosed{1006, "", false});
  d.advance(10'000); // Session::kProbeTimeoutMs
  ASSERT_TRUE(d.last<output::Error>());
  EXPECT_EQ(d.last<output::Error>()->code, errc::connect_failed);
  EXPECT_NE(d.last<output::Error>()->message.find("did not answer within 10000 ms"), std::string::npos)
      << d.last<output::Error>()->message;
  for (const auto& err : d.all<output::Error>())
    EXPECT_EQ(err.message.find("s3cret"), std::string::npos) << err.message;
}

TEST(Session_Probe, WssBecomesHttpsAndStaleResponsesAreIgnored) {
  auto c = test_config();
  c.url = "wss://server.test/signal";
  ClientDriver d(c);
  d.handle(input::Join{});
  d.handle(input::SocketClosed{1006, "", false});
  auto req = d.last<output::HttpRequest>();
  ASSERT_TRUE(req);
  EXPECT_EQ(req->url, "https://server.test/signal?room=r1");
  d.handle(input::HttpResponse{req->id + 7, 401, ""});
  EXPECT_EQ(d.client.state(), SessionState::connecting);
}

TEST(Session_Probe, UnansweredProbeBacksOff) {
  ClientDriver d;
  d.handle(input::Join{});
  d.handle(input::SocketClosed{1006, "", false});
  d.advance(9'999);
  EXPECT_EQ(d.count<output::Reconnecting>(), 0u);
  d.advance(1);
  EXPECT_EQ(d.count<output::Reconnecting>(), 1u);
}

// ---- Timeouts and limits on attempts.

TEST(Session, NeverJoiningWithinConnectTimeoutIsFatal) {
  auto c = test_config();
  c.connect_timeout_ms = 15'000;
  ClientDriver d(c);
  d.handle(input::Join{});
  // The server keeps refusing; the client keeps retrying until the deadline.
  while (d.now < 14'000) {
    if (auto req = d.last<output::HttpRequest>();
        req && d.client.state() == SessionState::connecting) {
      d.handle(input::HttpResponse{req->id, 0, ""});
    }
    if (d.client.state() == SessionState::connecting) {
      d.handle(input::SocketClosed{1006, "", false});
    }
    d.advance(100);
  }
  EXPECT_NE(d.client.state(), SessionState::closed);
  d.advance(1'000);
  EXPECT_EQ(d.client.state(), SessionState::closed);
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, errc::timeout);
  EXPECT_TRUE(e->fatal);
}

TEST(Session, ConnectTimeoutDoesNotApplyAfterFirstJoin) {
  ClientDriver d;
  d.join_open();
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(60'000);
  EXPECT_NE(d.client.state(), SessionState::closed);
}

TEST(Session, MaxAttemptsReachedIsFatal) {
  auto c = test_config();
  c.reconnect.max_attempts = 3;
  c.connect_timeout_ms = 1'000'000;
  ClientDriver d(c);
  d.join_open();
  for (int i = 0; i < 3; ++i) {
    d.handle(input::SocketClosed{1006, "", true});
    EXPECT_EQ(d.client.state(), SessionState::reconnecting);
    d.advance(d.last<output::Reconnecting>()->delay_ms);
    ASSERT_EQ(d.client.state(), SessionState::connecting);
    d.handle(input::SocketOpened{});
  }
  d.handle(input::SocketClosed{1006, "", true});
  EXPECT_EQ(d.client.state(), SessionState::closed);
  EXPECT_EQ(d.count<output::Reconnecting>(), 3u);
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, errc::reconnect_exhausted);
  EXPECT_TRUE(e->fatal);
}

TEST(Session, DisabledReconnectEndsSessionOnLoss) {
  auto c = test_config();
  c.reconnect.enabled = false;
  ClientDriver d(c);
  d.join_open();
  d.handle(input::SocketClosed{1006, "", true});
  EXPECT_EQ(d.client.state(), SessionState::closed);
  EXPECT_EQ(d.last<output::Error>()->code, errc::reconnect_exhausted);
}

TEST(Session, AttemptCounterResetsAfterStayingOpen) {
  ClientDriver d;
  d.join_open();
  for (int i = 0; i < 3; ++i) {
    d.handle(input::SocketClosed{1006, "", true});
    d.advance(d.last<output::Reconnecting>()->delay_ms);
    d.handle(input::SocketOpened{});
    d.server(msg::Welcome{"p1", "r1", "tok", true, 0, {}});
  }
  EXPECT_EQ(d.last<output::Reconnecting>()->attempt, 3u);
  d.advance(9'000);
  d.server(msg::Pong{});
  d.advance(1'000); // 10 s open
  d.handle(input::SocketClosed{1006, "", true});
  EXPECT_EQ(d.last<output::Reconnecting>()->attempt, 1u);
  EXPECT_EQ(d.last<output::Reconnecting>()->delay_ms, 0u);
}

TEST(Session, ShortOpenPeriodDoesNotResetAttempts) {
  ClientDriver d;
  d.join_open();
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(0);
  d.handle(input::SocketOpened{});
  d.server(msg::Welcome{"p1", "r1", "tok", true, 0, {}});
  d.advance(9'999);
  d.handle(input::SocketClosed{1006, "", true});
  EXPECT_EQ(d.last<output::Reconnecting>()->attempt, 2u);
}

// ---- Network online/offline.

TEST(Session, OfflineSuspendsAttemptsAndOnlineRetriesAtOnce) {
  ClientDriver d;
  d.join_open();
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(0);
  d.handle(input::SocketClosed{1006, "", false});
  auto req = d.last<output::HttpRequest>();
  ASSERT_TRUE(req);
  d.handle(input::HttpResponse{req->id, 0, ""});
  ASSERT_EQ(d.client.state(), SessionState::reconnecting);
  d.handle(input::NetworkOffline{});
  const auto opens = d.count<output::OpenSocket>();
  d.advance(120'000);
  EXPECT_EQ(d.client.state(), SessionState::reconnecting);
  EXPECT_EQ(d.count<output::OpenSocket>(), opens);
  d.handle(input::NetworkOnline{});
  EXPECT_EQ(d.client.state(), SessionState::connecting);
  EXPECT_EQ(d.count<output::OpenSocket>(), opens + 1);
}

TEST(Session, LossWhileOfflineWaitsForOnline) {
  ClientDriver d;
  d.join_open();
  d.handle(input::NetworkOffline{});
  EXPECT_EQ(d.client.state(), SessionState::open);
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(60'000);
  EXPECT_EQ(d.client.state(), SessionState::reconnecting);
  EXPECT_EQ(d.count<output::OpenSocket>(), 1u);
  d.handle(input::NetworkOnline{});
  EXPECT_EQ(d.count<output::OpenSocket>(), 2u);
}

TEST(Session, EventsOfClosedSessionAreIgnored) {
  ClientDriver d;
  d.join_open();
  d.handle(input::Leave{});
  d.clear();
  d.handle(input::SocketOpened{});
  d.handle(input::FrameReceived{"{\"type\":\"pong\"}"});
  d.handle(input::SocketClosed{1000, "", true});
  d.handle(input::Join{});
  EXPECT_TRUE(d.outputs.empty());
  EXPECT_EQ(d.client.state(), SessionState::closed);
}

} // namespace
} // namespace rtc_signaling

// The signalr dialect through the whole session (Client + virtual clock): stateful reconnect
// (resume on the same connection, replay of unacknowledged invocations, dedupe of the hub's
// replay), falling back to a fresh connection, Close handling and SignalR keep-alive timing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client_driver.hpp"

namespace rtc_signaling::testing {
namespace {

using nlohmann::json;

constexpr const char* kNegotiateStateful =
    R"({"negotiateVersion":1,"connectionId":"c1","connectionToken":"tok1",)"
    R"("useStatefulReconnect":true,)"
    R"("availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})";
constexpr const char* kNegotiatePlain =
    R"({"negotiateVersion":1,"connectionId":"c2","connectionToken":"tok2",)"
    R"("availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})";

std::string rec(const json& j) {
  return j.dump() + '\x1e';
}

std::string invocation(const std::string& target, json args) {
  return rec({{"type", 1}, {"target", target}, {"arguments", std::move(args)}});
}

class SignalrSession : public ::testing::Test {
protected:
  static Config hub_config() {
    Config c = test_config();
    c.url = "ws://hub.test/hubs/room";
    c.dialect = Dialect::signalr;
    c.ping_interval_ms = 15'000;
    c.server_timeout_ms = 30'000;
    return c;
  }

  ClientDriver d{hub_config()};

  std::vector<json> records() const { return signalr_records(d); }
  std::vector<json> invocations(const std::string& target) const {
    return signalr_invocations(d, target);
  }

  /// negotiate -> socket -> handshake -> Join -> Welcome(me, [bob as p2]).
  void open_stateful() {
    d.handle(input::Join{});
    auto negotiate = d.last<output::HttpRequest>();
    ASSERT_TRUE(negotiate);
    d.handle(input::HttpResponse{negotiate->id, 200, kNegotiateStateful});
    d.handle(input::SocketOpened{});
    d.frame("{}\x1e");
    const auto join = invocations("Join");
    ASSERT_EQ(join.size(), 1u);
    d.frame(
        rec({{"type", 3}, {"invocationId", join[0]["invocationId"]}}) +
        invocation("Welcome", json::array({"me", json::array({{{"id", "p2"}, {"name", "bob"}}})})));
    ASSERT_EQ(d.client.state(), SessionState::open);
  }

  /// Negotiation towards p2 produces one Signal invocation carrying our offer.
  void send_offer() {
    d.handle(input::NegotiationNeeded{"p2"});
    auto sld = d.last<output::SetLocalDescription>();
    ASSERT_TRUE(sld);
    d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
    ASSERT_EQ(invocations("Signal").size(), 1u);
  }

  /// Advances the clock until the next reconnect attempt asks for something (bounded by 60 s).
  template <typename T> std::optional<T> next_attempt() {
    d.clear();
    for (int ms = 0; ms < 60'000 && d.count<T>() == 0; ms += 50)
      d.advance(50);
    return d.last<T>();
  }

  /// The socket drops without a close frame; the first reconnect attempt is immediate.
  void cut() {
    d.handle(input::SocketClosed{1006, "", true});
    d.advance(0);
  }
};

TEST_F(SignalrSession, StatefulResumeReusesTheConnectionAndReplaysUnackedInvocations) {
  open_stateful();
  send_offer();
  const json signal = invocations("Signal")[0];
  // The hub acknowledged the Join (sequence 1) but not the Signal (2).
  d.frame(rec({{"type", 8}, {"sequenceId", 1}}));
  d.clear();

  cut();
  EXPECT_EQ(d.count<output::HttpRequest>(), 0u) << "a resume does not negotiate again";
  auto reopen = d.last<output::OpenSocket>();
  ASSERT_TRUE(reopen);
  EXPECT_EQ(reopen->url, "ws://hub.test/hubs/room?id=tok1");
  d.handle(input::SocketOpened{});

  // No handshake on a resumed connection: Sequence first, then exactly the unacked Signal.
  const auto sent = records();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0], json({{"type", 9}, {"sequenceId", 2}}));
  EXPECT_EQ(sent[1], signal);
  EXPECT_EQ(d.client.state(), SessionState::joining) << "resumed only once the hub answers";

  d.frame(rec({{"type", 9}, {"sequenceId", 3}}));
  EXPECT_EQ(d.client.state(), SessionState::open);
  auto joined = d.last<output::Joined>();
  ASSERT_TRUE(joined);
  EXPECT_TRUE(joined->resumed);
  EXPECT_EQ(joined->self_id, "me");
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u) << "bob is still there after the resume";
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 0u);
  EXPECT_EQ(invocations("Join").size(), 0u) << "no second Join on the same connection";
}

// The app's own invocations (client.invoke): each gets exactly one HubResult.
TEST_F(SignalrSession, AppInvocationGetsTheHubsResultOrItsErrorAndNoSessionError) {
  d.handle(input::InvokeHub{1, "Members", "[]"});
  auto early = d.last<output::HubResult>();
  ASSERT_TRUE(early);
  EXPECT_EQ(early->code, "not-open");
  open_stateful();
  d.clear();
  d.handle(input::InvokeHub{7, "Members", R"([1,"x",{"y":null}])"});
  d.handle(input::InvokeHub{8, "Fails", "[]"});
  const auto members = invocations("Members");
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0]["arguments"], json::parse(R"([1,"x",{"y":null}])"));
  const auto fails = invocations("Fails");
  ASSERT_EQ(fails.size(), 1u);
  EXPECT_EQ(d.count<output::HubResult>(), 0u) << "answered by the hub, not before";
  d.frame(rec({{"type", 3}, {"invocationId", members[0]["invocationId"]}, {"result", {{"a", 1}}}}) +
          rec({{"type", 3}, {"invocationId", fails[0]["invocationId"]}, {"error", "No."}}));
  const auto results = d.all<output::HubResult>();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].id, 7u);
  EXPECT_EQ(results[0].code, "");
  EXPECT_EQ(json::parse(results[0].result), json({{"a", 1}}));
  EXPECT_EQ(results[1].id, 8u);
  EXPECT_EQ(results[1].code, "hub-error");
  EXPECT_EQ(results[1].message, "No.");
  EXPECT_EQ(d.count<output::Error>(), 0u) << "the invoker hears of it, not the error event";
  // Not a JSON array of arguments.
  d.handle(input::InvokeHub{9, "Members", "{}"});
  EXPECT_EQ(d.last<output::HubResult>()->code, "invalid-data");
}

TEST_F(SignalrSession, AppInvocationSurvivesAStatefulResumeAndIsAnsweredAfterIt) {
  open_stateful();
  d.handle(input::InvokeHub{3, "Members", "[]"});
  const json call = invocations("Members")[0];
  d.clear();
  cut();
  EXPECT_EQ(d.count<output::HubResult>(), 0u) << "the hub may still answer after the resume";
  d.handle(input::SocketOpened{});
  EXPECT_EQ(records().back(), call) << "replayed";
  d.frame(rec({{"type", 9}, {"sequenceId", 3}}) +
          rec({{"type", 3}, {"invocationId", call["invocationId"]}, {"result", 5}}));
  auto result = d.last<output::HubResult>();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->result, "5");
}

TEST(SignalrInvoke, WithoutStatefulReconnectALostSocketAnswersNotOpenAtOnce) {
  Config c = test_config();
  c.url = "ws://hub.test/hubs/room";
  c.dialect = Dialect::signalr;
  c.signalr.skip_negotiation = true;
  ClientDriver d{c};
  d.handle(input::Join{});
  d.handle(input::SocketOpened{});
  d.frame("{}\x1e");
  d.frame(rec({{"type", 1}, {"target", "Welcome"}, {"arguments", json::array({"me", json::array()})}}));
  ASSERT_EQ(d.client.state(), SessionState::open);
  d.handle(input::InvokeHub{4, "Members", "[]"});
  d.handle(input::SocketClosed{1006, "", true});
  auto result = d.last<output::HubResult>();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->id, 4u);
  EXPECT_EQ(result->code, "not-open");
}

TEST(SignalrInvoke, OtherDialectsHaveNoHubMethods) {
  ClientDriver d;
  d.join_open();
  d.handle(input::InvokeHub{1, "Members", "[]"});
  auto result = d.last<output::HubResult>();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->code, "unsupported-dialect");
}

TEST_F(SignalrSession, HubReplayAfterResumeIsAppliedOnce) {
  open_stateful();
  d.frame(invocation("PeerJoined", json::array({{{"id", "p3"}, {"name", "carol"}}}))); // seq 3
  cut();
  d.handle(input::SocketOpened{});
  d.clear();
  // The hub did not see our ack of 3 before the cut: it replays PeerJoined, then sends new news.
  d.frame(rec({{"type", 9}, {"sequenceId", 3}}) +
          invocation("PeerJoined", json::array({{{"id", "p3"}, {"name", "carol"}}})) +
          invocation("PeerLeft", json::array({"p3"})));
  EXPECT_EQ(d.count<output::PeerJoined>(), 0u) << "carol's replayed join is a duplicate";
  auto left = d.all<output::PeerLeft>();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, "p3");
  // Acks are cumulative over what was processed: through the PeerLeft (4).
  auto acks = records();
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back(), json({{"type", 8}, {"sequenceId", 4}}));
}

TEST_F(SignalrSession, AckedInvocationsAreNotReplayed) {
  open_stateful();
  send_offer();
  d.frame(rec({{"type", 8}, {"sequenceId", 2}}));
  d.clear();
  cut();
  d.handle(input::SocketOpened{});
  const auto sent = records();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], json({{"type", 9}, {"sequenceId", 3}})) << "numbering continues after 2";
}

TEST_F(SignalrSession, FailedResumeFallsBackToAFreshConnectionAndJoin) {
  open_stateful();
  cut();
  // The hub forgot tok1: the resumed socket is refused before it opens.
  d.handle(input::SocketClosed{1006, "", false});
  if (auto probe = d.last<output::HttpRequest>(); probe && probe->method == "GET")
    d.handle(input::HttpResponse{probe->id, 404, ""});
  auto negotiate = next_attempt<output::HttpRequest>();
  ASSERT_TRUE(negotiate);
  EXPECT_EQ(negotiate->method, "POST");
  d.handle(input::HttpResponse{negotiate->id, 200, kNegotiatePlain});

  auto reopen = d.last<output::OpenSocket>();
  ASSERT_TRUE(reopen);
  EXPECT_EQ(reopen->url, "ws://hub.test/hubs/room?id=tok2");
  d.handle(input::SocketOpened{});
  const auto sent = records();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0], json({{"protocol", "json"}, {"version", 1}}))
      << "no stateful reconnect offered";
  d.frame("{}\x1e");
  EXPECT_EQ(invocations("Join").size(), 1u);
}

TEST_F(SignalrSession, CloseWithoutAllowReconnectEndsWithServerClosed) {
  open_stateful();
  d.frame(rec({{"type", 7}, {"error", "server shutting down"}}));
  EXPECT_EQ(d.client.state(), SessionState::closed);
  auto error = d.last<output::Error>();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "server-closed");
  EXPECT_TRUE(error->fatal);
  EXPECT_NE(error->message.find("server shutting down"), std::string::npos);
}

TEST_F(SignalrSession, CloseWithAllowReconnectNegotiatesAFreshConnection) {
  open_stateful();
  d.frame(rec({{"type", 7}, {"allowReconnect", true}}));
  d.handle(input::SocketClosed{1000, "", true});
  auto negotiate = next_attempt<output::HttpRequest>();
  ASSERT_TRUE(negotiate) << "the closed connection cannot be resumed";
  EXPECT_EQ(negotiate->method, "POST");
  EXPECT_EQ(d.count<output::OpenSocket>(), 0u);
}

TEST_F(SignalrSession, KeepAlivePingsAfter15sOfSilenceAndGivesUpOnTheHubAfter30s) {
  open_stateful();
  d.clear();
  d.advance(14'999);
  EXPECT_EQ(records().size(), 0u) << "nothing sent before 15 s";
  d.advance(1);
  ASSERT_EQ(records().size(), 1u);
  EXPECT_EQ(records()[0], json({{"type", 6}}));
  // The hub's pings keep the session alive...
  d.advance(14'000);
  d.frame(rec({{"type", 6}}));
  d.advance(29'999);
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_EQ(d.count<output::CloseSocket>(), 0u);
  // ...and 30 s without any record means the hub is gone.
  d.advance(1);
  EXPECT_EQ(d.count<output::CloseSocket>(), 1u);
  EXPECT_NE(d.client.state(), SessionState::open);
}

} // namespace
} // namespace rtc_signaling::testing

namespace rtc_signaling::testing {
namespace {

// The signalrtc hub never tells a client its own id (every client is "self"), so byte-wise id
// order would give both ends the same role whenever both remote ids sort below "self", and glare
// would then never resolve. Roles follow the call instead: whoever calls is impolite.
class SignalrtcRoles : public ::testing::Test {
protected:
  static Config config() {
    Config c = test_config();
    c.url = "ws://hub.test/hubs/signalrtc";
    c.dialect = Dialect::signalr;
    c.signalr.contract = SignalrContract::signalrtc;
    c.signalr.skip_negotiation = true;
    return c;
  }

  ClientDriver d{config()};

  void join() {
    d.handle(input::Join{});
    ASSERT_TRUE(d.last<output::OpenSocket>());
    d.handle(input::SocketOpened{});
    d.frame("{}\x1e");
    ASSERT_EQ(d.client.state(), SessionState::open);
    d.clear();
  }

  static std::string user(const std::string& id) {
    return json({{"userName", "user-" + id}, {"connectionId", id}}).dump();
  }
};

TEST_F(SignalrtcRoles, Signalrtc_CallerIsImpoliteWhateverTheIdsAre) {
  join();
  // "self" sorts below "zzz": by id order we would be polite; as the caller we must not be.
  d.frame(rec({{"type", 1}, {"target", "UserSaidHello"}, {"arguments", json::array({user("zzz")})}}));
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->peer, "zzz");
  EXPECT_FALSE(pc->polite);
}

// Two users who joined at the same moment: each hears NewUserArrived and UserSaidHello from the
// other. Both calling would leave two impolite ends glaring for good; the smaller name calls.
TEST_F(SignalrtcRoles, Signalrtc_TwoSimultaneousNewcomersAgreeByNameWhoCalls) {
  join(); // we are "alice"
  d.frame(rec({{"type", 1}, {"target", "NewUserArrived"}, {"arguments", json::array({json({{"userName", "zoe"}, {"connectionId", "c-zoe"}}).dump()})}}));
  d.frame(rec({{"type", 1}, {"target", "UserSaidHello"}, {"arguments", json::array({json({{"userName", "zoe"}, {"connectionId", "c-zoe"}}).dump()})}}));
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc) << "alice < zoe: alice calls";
  EXPECT_EQ(pc->peer, "c-zoe");
  EXPECT_FALSE(pc->polite);

  d.clear();
  d.frame(rec({{"type", 1}, {"target", "NewUserArrived"}, {"arguments", json::array({json({{"userName", "adam"}, {"connectionId", "c-adam"}}).dump()})}}));
  d.frame(rec({{"type", 1}, {"target", "UserSaidHello"}, {"arguments", json::array({json({{"userName", "adam"}, {"connectionId", "c-adam"}}).dump()})}}));
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u) << "adam < alice: adam calls, we wait";
  const json offer = {{"type", "offer"}, {"sdp", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}};
  d.frame(rec({{"type", 1}, {"target", "SendSignal"}, {"arguments", json::array({"c-adam", offer.dump()})}}));
  pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->peer, "c-adam");
  EXPECT_TRUE(pc->polite) << "the callee";
}

TEST_F(SignalrtcRoles, Signalrtc_CalleeIsPoliteWhateverTheIdsAre) {
  join();
  // "AAA" sorts below "self": by id order we would be impolite; as the callee we must be polite.
  d.frame(rec({{"type", 1}, {"target", "NewUserArrived"}, {"arguments", json::array({user("AAA")})}}));
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u) << "the newcomer calls us";
  const json offer = {{"type", "offer"}, {"sdp", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}};
  d.frame(rec({{"type", 1}, {"target", "SendSignal"}, {"arguments", json::array({"AAA", offer.dump()})}}));
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->peer, "AAA");
  EXPECT_TRUE(pc->polite);
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd) << "the callee applies the caller's offer";
  EXPECT_EQ(srd->description.type, "offer");
}

TEST(SignalrtcIdentity, Signalrtc_NegotiatedConnectionIdIsOurIdAndRolesFollowIdOrder) {
  // With negotiate we do learn our id: connectionId is the hub's Context.ConnectionId, the id
  // the others see. Byte-wise roles then hold even when both ends call each other (two users
  // told of each other as new users at once), where call-direction roles would deadlock.
  Config c = test_config();
  c.url = "ws://hub.test/hubs/signalrtc";
  c.dialect = Dialect::signalr;
  c.signalr.contract = SignalrContract::signalrtc;
  ClientDriver d{c};
  d.handle(input::Join{});
  auto negotiate = d.last<output::HttpRequest>();
  ASSERT_TRUE(negotiate);
  d.handle(input::HttpResponse{
      negotiate->id, 200,
      R"({"negotiateVersion":1,"connectionId":"mmm","connectionToken":"secret-token",)"
      R"("availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})"});
  d.handle(input::SocketOpened{});
  d.frame("{}\x1e");
  auto joined = d.last<output::Joined>();
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->self_id, "mmm") << "the public connection id, never the secret token";

  const json hello = {{"userName", "zed"}, {"connectionId", "zzz"}};
  d.frame(rec({{"type", 1}, {"target", "UserSaidHello"}, {"arguments", json::array({hello.dump()})}}));
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  EXPECT_TRUE(pc->polite) << "\"mmm\" < \"zzz\": polite by id order although we call";
}

}  // namespace
}  // namespace rtc_signaling::testing

namespace rtc_signaling::testing {
namespace {

// The ekobit hub (the Ekobit article's, as published) through a whole client: joined() goes to
// the whole group and the hub forgets nobody, so which joined() is our welcome depends on the
// hub connection, and roles follow who calls.
class EkobitSession : public ::testing::Test {
protected:
  static Config config() {
    Config c = test_config();
    c.url = "ws://hub.test/hubs/ekobit";
    c.dialect = Dialect::signalr;
    c.signalr.contract = SignalrContract::ekobit;
    c.signalr.skip_negotiation = true;
    return c;
  }

  ClientDriver d{config()};

  void connect_and(const char* answer) {
    d.handle(input::Join{});
    ASSERT_TRUE(d.last<output::OpenSocket>());
    d.handle(input::SocketOpened{});
    d.frame("{}\x1e");
    d.frame(rec({{"type", 1}, {"target", answer}, {"arguments", json::array()}}));
    ASSERT_EQ(d.client.state(), SessionState::open);
  }
};

TEST_F(EkobitSession, Ekobit_TheOneInTheRoomCallsTheNewcomerAndIsImpolite) {
  connect_and("created");
  EXPECT_EQ(d.client.self_id(), "initiator");
  d.clear();
  d.frame(rec({{"type", 1}, {"target", "joined"}, {"arguments", json::array()}}));
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->peer, "joiner");
  EXPECT_FALSE(pc->polite) << "the caller";
}

TEST_F(EkobitSession, Ekobit_ANewcomerWaitsForAnOfferAndIsPolite) {
  connect_and("joined");
  EXPECT_EQ(d.client.self_id(), "joiner");
  EXPECT_TRUE(d.client.peers().empty()) << "joined() may come from an empty room";
  d.clear();
  const json offer = {{"type", "offer"}, {"sdp", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}};
  d.frame(rec({{"type", 1}, {"target", "message"}, {"arguments", json::array({offer})}}));
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->peer, "initiator");
  EXPECT_TRUE(pc->polite);
  EXPECT_TRUE(d.last<output::SetRemoteDescription>());
}

TEST_F(EkobitSession, Ekobit_AfterAReconnectTheNextJoinedIsOurWelcomeAgain) {
  connect_and("created");
  d.handle(input::SocketClosed{1006, "", true});
  for (int ms = 0; ms < 60'000 && d.client.state() != SessionState::connecting; ms += 50)
    d.advance(50);
  d.handle(input::SocketOpened{});
  d.frame("{}\x1e");
  d.clear();
  // The hub kept our dead connection in its list: we are told joined() into a room with nobody.
  d.frame(rec({{"type", 1}, {"target", "joined"}, {"arguments", json::array()}}));
  ASSERT_TRUE(d.last<output::Joined>());
  EXPECT_EQ(d.client.self_id(), "joiner");
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u) << "a welcome, not a newcomer to call";
}

} // namespace
} // namespace rtc_signaling::testing

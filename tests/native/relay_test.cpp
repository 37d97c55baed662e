// The `relay` dialect (sdk/src/dialects/relay.*): its frames, exactly, and the presence rules
// it keeps in place of a server, on the virtual clock.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "client_driver.hpp"
#include "dialects/relay.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::testing {
namespace {

using nlohmann::json;
using dialects::relay::Relay;

Config relay_config(std::uint64_t seed = 42) {
  Config c = test_config();
  c.dialect = Dialect::relay;
  c.url = "ws://relay.test:8080";
  c.ping_interval_ms = dialects::relay::kDefaultBeatMs;
  c.seed = seed;
  return c;
}

const std::string kSdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n";

std::string presence(const std::string& kind, const std::string& from, const std::string& to,
                     const std::string& room = "r1", const std::string& name = "bob") {
  return json{{"type", "candidate"},
              {"candidate",
               {{"rtcSignaling", {{"v", 1}, {"kind", kind}, {"room", room}, {"name", name}}}}},
              {"from", from},
              {"to", to}}
      .dump();
}

std::string offer(const std::string& from, const std::string& to) {
  return json{{"type", "offer"}, {"offer", {{"type", "offer"}, {"sdp", kSdp}}}, {"from", from},
              {"to", to}}
      .dump();
}

// ---------------------------------------------------------------- ids and frames

TEST(RelayCodec, TheClientPicksAValidUnguessableIdFromItsSeed) {
  const PeerId a = dialects::relay::make_id(1);
  EXPECT_TRUE(validation::valid_peer_id(a)) << a;
  EXPECT_EQ(a.size(), 19u);
  EXPECT_EQ(a, dialects::relay::make_id(1)) << "deterministic per seed";
  EXPECT_NE(a, dialects::relay::make_id(2));
  EXPECT_FALSE(validation::valid_peer_id(dialects::relay::kEveryone));
}

TEST(RelayCodec, SignalsHaveTheShapesATutorialClientSends) {
  Relay r(relay_config());
  const PeerId me = r.self_id();
  EXPECT_EQ(json::parse(r.encode(msg::SignalTo{"p2", 1, Description{"offer", kSdp}})),
            (json{{"type", "offer"}, {"offer", {{"type", "offer"}, {"sdp", kSdp}}},
                  {"from", me}, {"to", "p2"}}));
  EXPECT_EQ(json::parse(r.encode(msg::SignalTo{"p2", 2, Description{"answer", kSdp}})),
            (json{{"type", "answer"}, {"answer", {{"type", "answer"}, {"sdp", kSdp}}},
                  {"from", me}, {"to", "p2"}}));
  EXPECT_EQ(json::parse(r.encode(msg::SignalTo{
                "p2", 3, Candidate{"candidate:1 1 udp 1 10.0.0.1 5000 typ host", "0", 0, "uf"}})),
            (json{{"type", "candidate"},
                  {"candidate",
                   {{"candidate", "candidate:1 1 udp 1 10.0.0.1 5000 typ host"},
                    {"sdpMid", "0"},
                    {"sdpMLineIndex", 0},
                    {"usernameFragment", "uf"}}},
                  {"from", me},
                  {"to", "p2"}}));
  EXPECT_EQ(json::parse(r.encode(msg::SignalTo{"p2", 4, EndOfCandidates{}})),
            (json{{"type", "candidate"}, {"candidate", nullptr}, {"from", me}, {"to", "p2"}}));
}

TEST(RelayCodec, PresenceTravelsAsACandidateNoClientCanMistakeForOne) {
  Relay r(relay_config());
  for (auto [message, kind] : {std::pair<msg::ClientMessage, const char*>{msg::Join{"r1", "alice", {}, {}, {}}, "hello"},
                               {msg::Ping{}, "beat"},
                               {msg::Leave{}, "bye"}}) {
    const json j = json::parse(r.encode(message));
    EXPECT_EQ(j["type"], "candidate");
    EXPECT_EQ(j["to"], "*") << "addressed to no client";
    EXPECT_FALSE(j["candidate"].contains("candidate")) << "no candidate string to add";
    EXPECT_EQ(j["candidate"]["rtcSignaling"]["kind"], kind);
    EXPECT_EQ(j["candidate"]["rtcSignaling"]["room"], "r1");
    // Only the fields the tutorial server keeps.
    for (const auto& [key, value] : j.items())
      EXPECT_TRUE(key == "type" || key == "candidate" || key == "from" || key == "to") << key;
  }
  EXPECT_TRUE(r.encode(msg::AckOut{3}).empty()) << "the relay has no acks";
}

TEST(RelayCodec, WhatIsNotOursIsIgnoredAndWhatIsBrokenIsAnError) {
  Relay r(relay_config());
  const PeerId me = r.self_id();
  EXPECT_TRUE(r.decode_all(offer("rs-other", "rs-third")).empty())
      << "every call on the relay reaches every socket";
  EXPECT_TRUE(r.decode_all(presence("hello", "rs-other", "*", "another-room")).empty());
  for (const std::string bad : {std::string("not json"), std::string("[1,2]"),
                                std::string(R"({"type":"join","from":"x","to":"y"})"),
                                offer("bad id!", me), offer(me, me)}) {
    auto out = r.decode_all(bad);
    ASSERT_EQ(out.size(), 1u) << bad;
    ASSERT_TRUE(std::holds_alternative<msg::DecodeError>(out[0])) << bad;
    EXPECT_EQ(std::get<msg::DecodeError>(out[0]).code, errc::bad_message) << bad;
  }
}

// ---------------------------------------------------------------- the session on a relay

struct RelaySession : ::testing::Test {
  ClientDriver d{relay_config()};
  PeerId me;

  void SetUp() override {
    d.handle(input::Join{});
    ASSERT_EQ(d.last<output::OpenSocket>()->url, "ws://relay.test:8080");
    d.handle(input::SocketOpened{});
    me = d.client.self_id();
  }

  std::vector<json> frames() const {
    std::vector<json> out;
    for (const auto& f : d.all<output::SendFrame>())
      out.push_back(json::parse(f.text));
    return out;
  }
};

TEST_F(RelaySession, OpeningTheSocketAnnouncesUsAndJoinsAtOnce) {
  EXPECT_EQ(d.client.state(), SessionState::open);
  ASSERT_TRUE(d.last<output::Joined>());
  EXPECT_EQ(d.last<output::Joined>()->self_id, me);
  EXPECT_EQ(me.rfind("rs-", 0), 0u);
  ASSERT_EQ(frames().size(), 1u);
  EXPECT_EQ(frames()[0]["candidate"]["rtcSignaling"]["kind"], "hello");
  EXPECT_EQ(frames()[0]["from"], me);
}

TEST_F(RelaySession, ASilentServerIsNotAFailureButTheHeartbeatGoesOn) {
  d.clear();
  d.advance(60'000);
  EXPECT_EQ(d.count<output::CloseSocket>(), 0u) << "the relay never speaks; no server timeout";
  EXPECT_EQ(d.count<output::Reconnecting>(), 0u);
  int beats = 0;
  for (const auto& f : frames())
    beats += f["candidate"]["rtcSignaling"]["kind"] == "beat";
  EXPECT_EQ(beats, 60'000 / static_cast<int>(dialects::relay::kDefaultBeatMs));
}

TEST_F(RelaySession, ANewcomersHelloIsAnsweredAndTheNewcomerCalls) {
  d.clear();
  d.frame(presence("hello", "rs-bob", "*"));
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.last<output::PeerJoined>()->name, "bob");
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u) << "we were here first: it calls";
  ASSERT_EQ(frames().size(), 1u);
  EXPECT_EQ(frames()[0]["candidate"]["rtcSignaling"]["kind"], "here");
  EXPECT_EQ(frames()[0]["to"], "rs-bob");

  d.clear();
  d.frame(presence("here", "rs-carol", me, "r1", "carol"));
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  ASSERT_EQ(d.count<output::CreatePeerConnection>(), 1u) << "carol answered our hello: we call";
  EXPECT_EQ(d.last<output::CreatePeerConnection>()->peer, "rs-carol");
  EXPECT_EQ(d.client.peers().size(), 2u);
}

TEST_F(RelaySession, RoomsOnOneRelayNeverSeeEachOther) {
  d.clear();
  d.frame(presence("hello", "rs-bob", "*", "r2"));
  d.frame(presence("here", "rs-bob", me, "r2"));
  EXPECT_EQ(d.count<output::PeerJoined>(), 0u);
  EXPECT_TRUE(frames().empty()) << "and we do not answer another room";
  d.frame(offer("rs-bob", me));
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 1u)
      << "a bare offer addressed to us is a tutorial client calling (see PlainClients)";
}

TEST_F(RelaySession, ByeIsLeftAndSilenceIsTimeout) {
  d.frame(presence("hello", "rs-bob", "*"));
  d.frame(presence("hello", "rs-carol", "*", "r1", "carol"));
  d.clear();
  d.frame(presence("bye", "rs-bob", "*"));
  ASSERT_EQ(d.count<output::PeerLeft>(), 1u);
  EXPECT_EQ(d.last<output::PeerLeft>()->reason, "left");

  const TimeMs bound = dialects::relay::kDefaultBeatMs * dialects::relay::kMissedBeats;
  // carol beats for a while: she stays.
  for (int i = 0; i < 5; ++i) {
    d.advance(dialects::relay::kDefaultBeatMs);
    d.frame(presence("beat", "rs-carol", "*", "r1", "carol"));
  }
  EXPECT_EQ(d.count<output::PeerLeft>(), 1u);
  d.advance(bound - 1);
  EXPECT_EQ(d.count<output::PeerLeft>(), 1u);
  d.advance(1);
  ASSERT_EQ(d.count<output::PeerLeft>(), 2u);
  EXPECT_EQ(d.last<output::PeerLeft>()->id, "rs-carol");
  EXPECT_EQ(d.last<output::PeerLeft>()->reason, "timeout");
}

TEST_F(RelaySession, APeerBusySignallingSomeoneElseIsAliveWithoutBeats) {
  d.frame(presence("hello", "rs-carol", "*", "r1", "carol"));
  d.clear();
  // carol's traffic to dave keeps her ping timer off, so she sends no beats; we see it all.
  const TimeMs bound = dialects::relay::kDefaultBeatMs * dialects::relay::kMissedBeats;
  for (TimeMs t = 0; t < 3 * bound; t += dialects::relay::kDefaultBeatMs) {
    d.advance(dialects::relay::kDefaultBeatMs);
    d.frame(offer("rs-carol", "rs-dave"));
  }
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
  EXPECT_EQ(d.count<output::Error>(), 0u);
  d.advance(bound);
  ASSERT_EQ(d.count<output::PeerLeft>(), 1u) << "silence still counts";
  EXPECT_EQ(d.last<output::PeerLeft>()->reason, "timeout");
}

TEST_F(RelaySession, AReconnectReannouncesTheSameIdAndKeepsEveryConnection) {
  d.frame(presence("here", "rs-carol", me, "r1", "carol"));
  ASSERT_EQ(d.count<output::CreatePeerConnection>(), 1u);
  d.clear();
  d.handle(input::SocketClosed{1006, "", true});
  EXPECT_EQ(d.client.state(), SessionState::reconnecting);
  d.advance(20'000); // longer than the presence timeout: our own silence does not count
  d.handle(input::SocketOpened{});
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_EQ(d.client.self_id(), me);
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 0u);
  ASSERT_TRUE(d.last<output::Joined>());
  EXPECT_TRUE(d.last<output::Joined>()->resumed);
  bool hello = false;
  for (const auto& f : frames())
    hello |= f["candidate"]["rtcSignaling"]["kind"] == "hello" && f["from"] == me;
  EXPECT_TRUE(hello);
  // carol hears us and answers; she is still in our roster the whole time.
  d.frame(presence("here", "rs-carol", me, "r1", "carol"));
  EXPECT_EQ(d.client.peers().size(), 1u);
}

TEST_F(RelaySession, OurOwnOutageNeverExpiresAnybody) {
  d.frame(presence("hello", "rs-bob", "*"));
  // Fail the next attempts so the session stays away through several backoff delays.
  d.handle(input::SocketClosed{1006, "", true});
  for (int i = 0; i < 6; ++i) {
    d.advance(30'000);
    if (d.client.state() == SessionState::connecting)
      d.handle(input::SocketClosed{1006, "", false});
    if (auto probe = d.last<output::HttpRequest>())
      d.handle(input::HttpResponse{probe->id, 426, ""});
  }
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
  EXPECT_EQ(d.client.peers().size(), 1u);
}

TEST_F(RelaySession, PlainClientsCallUsWithABareOfferAndStayWithoutHeartbeat) {
  d.clear();
  d.frame(offer("guide-1", me));
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.last<output::PeerJoined>()->id, "guide-1");
  ASSERT_EQ(d.count<output::CreatePeerConnection>(), 1u);
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 1u);
  d.advance(120'000);
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u) << "a plain client never beats";
  // Its candidates are signals like any other.
  d.frame(json{{"type", "candidate"},
               {"candidate",
                {{"candidate", "candidate:1 1 udp 1 10.0.0.1 5000 typ host"},
                 {"sdpMid", "0"},
                 {"sdpMLineIndex", 0}}},
               {"from", "guide-1"},
               {"to", me}}
              .dump());
  EXPECT_EQ(d.client.stats().signals_received, 2u);
}

TEST_F(RelaySession, SignalsFromStrangersAndOurOwnIdAreDroppedWithAnError) {
  d.clear();
  d.frame(json{{"type", "answer"}, {"answer", {{"type", "answer"}, {"sdp", kSdp}}},
               {"from", "rs-nobody"}, {"to", me}}
              .dump());
  d.frame(offer(me, me));
  EXPECT_EQ(d.error_codes(),
            (std::vector<std::string>{errc::bad_message, errc::bad_message}));
  EXPECT_TRUE(d.client.peers().empty());
}

} // namespace
} // namespace rtc_signaling::testing

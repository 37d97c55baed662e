// The `dyson` dialect (sdk/src/dialects/dyson.*): the packets a DysonNetwork-style chat server
// takes and relays, exactly, and the presence the SDK keeps because that server announces no
// leave, on the virtual clock.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "client_driver.hpp"
#include "dialects/dyson.hpp"
#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::testing {
namespace {

using nlohmann::json;
using dialects::dyson::Dyson;

const std::string kChat = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const std::string kAlice = "a1a1a1a1-0000-4000-8000-000000000001";
const std::string kBob = "b2b2b2b2-0000-4000-8000-000000000002";
const std::string kSdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n";

Config dyson_config(std::uint64_t seed = 42) {
  Config c = test_config();
  c.dialect = Dialect::dyson;
  c.url = "ws://chat.test/api/chat/realtime";
  c.room = kChat;
  c.token = "tok";
  c.name = "what alice claims";
  c.ping_interval_ms = dialects::dyson::kDefaultBeatMs;
  c.seed = seed;
  return c;
}

json account(const std::string& id, const std::string& nick, const std::string& name = "n") {
  return {{"id", id}, {"name", name}, {"nick", nick}, {"profile", json::object()}};
}

std::string welcome(const std::string& user) {
  return json{{"type", "webrtc"},
              {"data",
               {{"user_id", user},
                {"room_id", kChat},
                {"message", "Connected to call..."},
                {"timestamp", "2026-12-03T00:00:00Z"},
                {"participants", json::array({{{"identity", kBob},
                                               {"name", "bob"},
                                               {"account_id", kBob},
                                               {"account", account(kBob, "Bobby")},
                                               {"joined_at", "2026-12-03T00:00:00Z"}}})}}},
              {"endpoint", nullptr},
              {"error_message", nullptr}}
      .dump();
}

/// A packet as the server relays it: the sender's inner data, stamped with its account.
std::string relayed(const std::string& type, json data, const std::string& from_account,
                    const json& to, const std::string& nick = "Bobby") {
  return json{{"type", "webrtc.signal"},
              {"data",
               {{"type", type},
                {"data", std::move(data)},
                {"to", to},
                {"account_id", from_account},
                {"account", account(from_account, nick)}}},
              {"endpoint", nullptr},
              {"error_message", nullptr}}
      .dump();
}

json presence(const std::string& kind, const std::string& device, const std::string& to_device = "") {
  json d = {{"kind", kind}, {"rtcSignaling", 1}, {"device", device}};
  if (!to_device.empty())
    d["toDevice"] = to_device;
  return d;
}

json offer_data(const std::string& device, const std::string& to_device) {
  return {{"type", "offer"}, {"sdp", kSdp}, {"rtcSignaling", 1}, {"device", device},
          {"toDevice", to_device}};
}

// ---------------------------------------------------------------- the codec

TEST(DysonCodec, TheSocketIsTheChatsRealtimeEndpointWithTheTokenAsTk) {
  Dyson d(dyson_config());
  auto c = dyson_config();
  EXPECT_EQ(d.socket_url(c, std::string("t k")),
            "ws://chat.test/api/chat/realtime/" + kChat + "?tk=t%20k");
  c.url = "wss://chat.test/api/chat/realtime/";
  EXPECT_EQ(d.socket_url(c, std::nullopt), "wss://chat.test/api/chat/realtime/" + kChat);
  EXPECT_FALSE(d.config_problem(c));
  for (std::string room : {"general", "3f2504e0-4f89-11d3-9a0c-0305e82c330", "3f2504e0_4f89-11d3-9a0c-0305e82c3301"}) {
    c.room = room;
    auto problem = d.config_problem(c);
    ASSERT_TRUE(problem) << room;
    EXPECT_NE(problem->find("GUID"), std::string::npos) << *problem;
  }
}

TEST(DysonCodec, EveryPacketIsAnEnvelopeTheServerRelays) {
  Dyson d(dyson_config());
  const std::string dev = d.device();
  EXPECT_EQ(dev.size(), 8u);
  EXPECT_NE(dev, Dyson(dyson_config(43)).device());
  ASSERT_TRUE(d.encode_all(msg::Join{"r", "n", {}, {}, {}}).empty())
      << "the server welcomes every socket; our hello follows its welcome";
  d.decode_all(welcome(kAlice));
  EXPECT_EQ(d.self_id(), kAlice + ":" + dev);
  auto hello = d.take_frames();
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(json::parse(hello[0]),
            (json{{"type", "webrtc.signal"},
                  {"data", {{"type", "rtc-signaling.presence"},
                            {"data", {{"kind", "hello"}, {"rtcSignaling", 1}, {"device", dev}}},
                            {"to", nullptr}}}}));
  const PeerId bob = kBob + ":0badcafe";
  EXPECT_EQ(json::parse(d.encode(msg::SignalTo{bob, 1, Description{"offer", kSdp}})),
            (json{{"type", "webrtc.signal"},
                  {"data", {{"type", "offer"},
                            {"data", {{"type", "offer"}, {"sdp", kSdp}, {"rtcSignaling", 1},
                                      {"device", dev}, {"toDevice", "0badcafe"}}},
                            {"to", kBob}}}}));
  auto cand = json::parse(d.encode(msg::SignalTo{bob, 2, Candidate{"candidate:1 1 udp 1 10.0.0.1 5000 typ host", "0", 0, "uf"}}));
  EXPECT_EQ(cand["data"]["type"], "candidate");
  EXPECT_EQ(cand["data"]["data"]["candidate"], "candidate:1 1 udp 1 10.0.0.1 5000 typ host");
  EXPECT_EQ(cand["data"]["data"]["sdpMid"], "0");
  EXPECT_EQ(cand["data"]["data"]["usernameFragment"], "uf");
  auto end = json::parse(d.encode(msg::SignalTo{bob, 3, EndOfCandidates{}}));
  EXPECT_EQ(end["data"]["data"]["candidate"], "") << "browsers' end-of-candidates form";
  EXPECT_EQ(json::parse(d.encode(msg::Leave{}))["data"]["data"]["kind"], "bye");
  EXPECT_EQ(json::parse(d.encode(msg::Ping{}))["data"]["to"], nullptr);
}

TEST(DysonCodec, WhatIsNotOursIsIgnoredAndWhatIsBrokenIsAnError) {
  Dyson d(dyson_config());
  d.decode_all(welcome(kAlice));
  const std::string me = d.device();
  EXPECT_TRUE(d.decode_all(relayed("rtc-signaling.presence", presence("beat", me), kAlice, nullptr)).empty())
      << "our own broadcast comes back";
  EXPECT_TRUE(d.decode_all(relayed("offer", offer_data("0badcafe", "77777777"), kBob, kAlice)).empty())
      << "a call for another tab of our account";
  EXPECT_TRUE(d.decode_all(R"({"type":"user-joined","data":{"user_id":"x"}})").empty());
  auto foreign = d.decode_all(relayed("offer", {{"sdp", "x"}}, kBob, kAlice));
  ASSERT_EQ(foreign.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<msg::ServerMessage>(foreign[0])) << "another client's signal";
  EXPECT_TRUE(std::holds_alternative<msg::Unknown>(std::get<msg::ServerMessage>(foreign[0])));
  for (const std::string broken :
       {std::string("not json"), std::string("[1]"), std::string(R"({"data":{}})"),
        std::string(R"({"type":"webrtc.signal","data":"x"})"),
        std::string(R"({"type":"webrtc.signal","data":{"type":"offer","data":{}}})"),
        relayed("offer", {{"rtcSignaling", 1}, {"device", "bad device!"}}, kBob, kAlice),
        relayed("offer", {{"rtcSignaling", 1}, {"device", "0badcafe"}, {"toDevice", me}, {"type", "answer"}, {"sdp", kSdp}}, kBob, kAlice),
        relayed("rtc-signaling.presence", presence("here", "0badcafe"), kBob, kAlice),
        std::string(R"({"type":"webrtc","data":{}})")}) {
    auto out = d.decode_all(broken);
    ASSERT_EQ(out.size(), 1u) << broken;
    ASSERT_TRUE(std::holds_alternative<msg::DecodeError>(out[0])) << broken;
    EXPECT_EQ(std::get<msg::DecodeError>(out[0]).code, errc::bad_message) << broken;
  }
}

// ---------------------------------------------------------------- the session

struct DysonSession : ::testing::Test {
  ClientDriver d{dyson_config()};
  std::string dev;
  PeerId me;

  void SetUp() override {
    d.handle(input::Join{});
    ASSERT_EQ(d.last<output::OpenSocket>()->url,
              "ws://chat.test/api/chat/realtime/" + kChat + "?tk=tok");
    d.handle(input::SocketOpened{});
    ASSERT_EQ(d.count<output::SendFrame>(), 0u) << "nothing before the server's welcome";
    d.frame(welcome(kAlice));
    me = d.client.self_id();
    dev = me.substr(me.rfind(':') + 1);
  }

  std::vector<json> frames() const {
    std::vector<json> out;
    for (const auto& f : d.all<output::SendFrame>())
      out.push_back(json::parse(f.text));
    return out;
  }
  void from_bob(const std::string& kind, const std::string& device = "0badcafe",
                const std::string& to_device = "", const std::string& nick = "Bobby") {
    d.frame(relayed("rtc-signaling.presence", presence(kind, device, to_device), kBob,
                    to_device.empty() ? json(nullptr) : json(kAlice), nick));
  }
};

TEST_F(DysonSession, TheWelcomeGivesOurAccountAndWeSayHello) {
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_EQ(me, kAlice + ":" + dev);
  ASSERT_TRUE(d.last<output::Joined>());
  EXPECT_EQ(d.last<output::Joined>()->self_id, me);
  EXPECT_EQ(d.count<output::PeerJoined>(), 0u)
      << "the welcome lists accounts; a peer is a device, known once it answers";
  ASSERT_EQ(frames().size(), 1u);
  EXPECT_EQ(frames()[0]["data"]["data"]["kind"], "hello");
}

TEST_F(DysonSession, NamesComeFromTheServersAccountAndTheNewcomerCalls) {
  d.clear();
  from_bob("hello");
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.last<output::PeerJoined>()->id, kBob + ":0badcafe");
  EXPECT_EQ(d.last<output::PeerJoined>()->name, "Bobby") << "the account's nick";
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u) << "we were here first: it calls";
  ASSERT_EQ(frames().size(), 1u);
  EXPECT_EQ(frames()[0]["data"]["to"], kBob);
  EXPECT_EQ(frames()[0]["data"]["data"]["kind"], "here");
  EXPECT_EQ(frames()[0]["data"]["data"]["toDevice"], "0badcafe");

  d.clear();
  from_bob("here", "1234abcd", dev, "");
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.last<output::PeerJoined>()->name, "n") << "no nick: the account's name";
  ASSERT_EQ(d.count<output::CreatePeerConnection>(), 1u) << "bob's second tab answered our hello";
  EXPECT_EQ(d.last<output::CreatePeerConnection>()->peer, kBob + ":1234abcd");
}

TEST_F(DysonSession, AnotherTabOfOurAccountIsAPeerAndItsCallsToOthersAreIgnored) {
  d.clear();
  d.frame(relayed("rtc-signaling.presence", presence("hello", "5555aaaa"), kAlice, nullptr, "Ally"));
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.last<output::PeerJoined>()->id, kAlice + ":5555aaaa");
  EXPECT_EQ(frames()[0]["data"]["to"], kAlice) << "the server routes it to our other socket";
  d.clear();
  d.frame(relayed("offer", offer_data("5555aaaa", "99999999"), kAlice, kAlice, "Ally"));
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 0u);
  d.frame(relayed("offer", offer_data("5555aaaa", dev), kAlice, kAlice, "Ally"));
  ASSERT_EQ(d.count<output::SetRemoteDescription>(), 1u);
  EXPECT_EQ(d.last<output::SetRemoteDescription>()->peer, kAlice + ":5555aaaa");
}

TEST_F(DysonSession, AnOfferFromAMemberWeHaveNotHeardIsItJoining) {
  d.clear();
  d.frame(relayed("offer", offer_data("0badcafe", dev), kBob, kAlice));
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.last<output::PeerJoined>()->name, "Bobby");
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 1u);
}

TEST_F(DysonSession, ByeIsLeftSilenceIsTimeoutAndBusyPeersStillBeat) {
  from_bob("hello");
  from_bob("hello", "1234abcd");
  d.clear();
  from_bob("bye");
  ASSERT_EQ(d.count<output::PeerLeft>(), 1u);
  EXPECT_EQ(d.last<output::PeerLeft>()->reason, "left");
  const TimeMs bound = dialects::dyson::kDefaultBeatMs * dialects::dyson::kMissedBeats;
  for (int i = 0; i < 4; ++i) {
    d.advance(dialects::dyson::kDefaultBeatMs);
    from_bob("beat", "1234abcd");
  }
  EXPECT_EQ(d.count<output::PeerLeft>(), 1u);
  d.advance(bound);
  ASSERT_EQ(d.count<output::PeerLeft>(), 2u);
  EXPECT_EQ(d.last<output::PeerLeft>()->reason, "timeout");

  // Busy calling one peer, we still beat for the rest of the room.
  d.clear();
  from_bob("hello", "77777777");
  const PeerId bob = kBob + ":77777777";
  ASSERT_TRUE(d.client.peers().count(bob));
  for (int i = 0; i < 20; ++i) {
    d.advance(1'000);
    d.handle(input::NegotiationNeeded{bob});
    d.handle(input::IceCandidate{bob, Candidate{"candidate:" + std::to_string(i) + " 1 udp 1 10.0.0.1 5000 typ host", "0", 0, std::nullopt}});
  }
  int beats = 0;
  for (const auto& f : frames())
    beats += f["data"]["type"] == "rtc-signaling.presence" && f["data"]["data"]["kind"] == "beat";
  EXPECT_GE(beats, 3) << "one per interval, riding on the directed signals";
}

TEST_F(DysonSession, OurEchoesKeepTheServerAliveAndSilenceMeansItIsGone) {
  d.clear();
  for (int i = 0; i < 10; ++i) {
    d.advance(dialects::dyson::kDefaultBeatMs);
    for (const auto& f : d.all<output::SendFrame>())
      d.frame(json::parse(f.text)["data"]["data"]["kind"] == "beat"
                  ? relayed("rtc-signaling.presence", presence("beat", dev), kAlice, nullptr, "A")
                  : std::string(R"({"type":"noop"})"));
    d.clear();
  }
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_EQ(d.count<output::Reconnecting>(), 0u);
  d.advance(d.client.config().server_timeout_ms);
  ASSERT_EQ(d.count<output::Reconnecting>(), 1u) << "no echo of our beats: the server is gone";
  ASSERT_TRUE(d.last<output::CloseSocket>());
  EXPECT_EQ(d.last<output::CloseSocket>()->reason, "server timeout");
}

TEST_F(DysonSession, AServerRestartKeepsTheCallsAndSaysHelloAgain) {
  from_bob("here", "0badcafe", dev);
  ASSERT_EQ(d.count<output::CreatePeerConnection>(), 1u);
  d.handle(input::SocketClosed{1006, "", true});
  d.advance(60'000);
  ASSERT_EQ(d.client.state(), SessionState::connecting);
  d.handle(input::SocketOpened{});
  d.clear();
  d.frame(welcome(kAlice));
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_TRUE(d.last<output::Joined>()->resumed);
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 0u) << "the call goes on";
  EXPECT_EQ(d.count<output::PeerLeft>(), 0u);
  ASSERT_FALSE(frames().empty());
  EXPECT_EQ(frames()[0]["data"]["data"]["kind"], "hello");
}

// ---------------------------------------------------------------- refusals

TEST(DysonRefusal, ProbeStatusesNameTheAccountAndTheRoom) {
  struct Case {
    int status;
    const char* code;
    bool fatal;
    const char* says;
  };
  for (const Case& c : {Case{401, errc::unauthorized, true, "HTTP 401"},
                        Case{403, errc::forbidden, true, "not a member of chat room"},
                        Case{404, errc::not_found, true, "no chat room"},
                        Case{400, errc::connect_failed, false, "HTTP 400"}}) {
    ClientDriver d{dyson_config()};
    d.handle(input::Join{});
    d.handle(input::SocketClosed{1006, "", false});
    auto req = d.last<output::HttpRequest>();
    ASSERT_TRUE(req);
    EXPECT_EQ(req->url, "http://chat.test/api/chat/realtime/" + kChat + "?tk=tok");
    d.handle(input::HttpResponse{req->id, c.status, ""});
    auto e = d.last<output::Error>();
    ASSERT_TRUE(e) << c.status;
    EXPECT_EQ(e->code, c.code) << c.status;
    EXPECT_EQ(e->fatal, c.fatal) << c.status;
    EXPECT_NE(e->message.find(c.says), std::string::npos) << e->message;
    if (c.status == 403 || c.status == 404)
      EXPECT_NE(e->message.find(kChat), std::string::npos) << e->message;
    EXPECT_EQ(d.client.state(), c.fatal ? SessionState::closed : SessionState::reconnecting);
  }
}

TEST(DysonRefusal, ARoomThatIsNotAChatIdIsInvalidConfig) {
  auto c = dyson_config();
  c.room = "general";
  ClientDriver d{c};
  d.handle(input::Join{});
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, errc::invalid_config);
  EXPECT_NE(e->message.find("\"general\""), std::string::npos) << e->message;
  EXPECT_EQ(d.count<output::OpenSocket>(), 0u);
}

} // namespace
} // namespace rtc_signaling::testing

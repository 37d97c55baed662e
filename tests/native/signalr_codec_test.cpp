// The signalr dialect's pure parts: record framing, hub messages, negotiate, contracts.
#include <gtest/gtest.h>

#include "dialects/signalr.hpp"
#include "dialects/signalr_contracts.hpp"
#include "dialects/signalr_protocol.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

TEST(SignalrCodec_Framing, RecordsSplitAndCoalescedAcrossFramesReassemble) {
  struct Case {
    std::vector<std::string> frames;
    std::vector<std::string> records;
  };
  const std::vector<Case> cases = {
      {{"{\"type\":6}\x1e"}, {"{\"type\":6}"}},
      {{"{\"type\":6}\x1e{\"type\":7}\x1e"}, {"{\"type\":6}", "{\"type\":7}"}},
      {{"{\"ty", "pe\":6}\x1e"}, {"{\"type\":6}"}},
      {{"{\"type\":6}\x1e{\"ty", "pe\":7}", "\x1e"}, {"{\"type\":6}", "{\"type\":7}"}},
      {{"\x1e\x1e"}, {}},
  };
  for (const auto& c : cases) {
    RecordReader reader(1024);
    std::vector<std::string> got;
    for (const auto& f : c.frames) {
      auto r = reader.push(f);
      EXPECT_FALSE(r.error);
      got.insert(got.end(), r.records.begin(), r.records.end());
    }
    EXPECT_EQ(got, c.records);
    EXPECT_EQ(reader.buffered(), 0u);
  }
}

TEST(SignalrCodec_Framing, UnterminatedRecordOverLimitIsDroppedWithAnError) {
  RecordReader reader(8);
  auto r = reader.push("0123456789");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "message-too-large");
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(SignalrCodec_Messages, EveryTypeParses) {
  Limits limits;
  auto inv = parse_message(R"({"type":1,"target":"Signal","arguments":["a","{}"]})", limits);
  ASSERT_TRUE(std::holds_alternative<HubMessage>(inv));
  EXPECT_EQ(std::get<Invocation>(std::get<HubMessage>(inv)).target, "Signal");
  auto comp = parse_message(R"({"type":3,"invocationId":"4","error":"boom"})", limits);
  EXPECT_EQ(*std::get<Completion>(std::get<HubMessage>(comp)).error, "boom");
  EXPECT_TRUE(std::holds_alternative<Ping>(std::get<HubMessage>(parse_message(R"({"type":6})", limits))));
  auto close = parse_message(R"({"type":7,"error":"x","allowReconnect":true})", limits);
  EXPECT_TRUE(std::get<Close>(std::get<HubMessage>(close)).allow_reconnect);
  EXPECT_EQ(std::get<Ack>(std::get<HubMessage>(parse_message(R"({"type":8,"sequenceId":5})", limits))).sequence_id, 5);
  EXPECT_EQ(std::get<Sequence>(std::get<HubMessage>(parse_message(R"({"type":9,"sequenceId":3})", limits))).sequence_id, 3);
  EXPECT_TRUE(trackable(std::get<HubMessage>(parse_message(R"({"type":2,"invocationId":"1","item":1})", limits))));
  for (const char* bad : {"[]", "{}", R"({"type":"1"})", R"({"type":1})",
                          R"({"type":3,"invocationId":"1","result":1,"error":"e"})",
                          R"({"type":8,"sequenceId":-1})"}) {
    EXPECT_TRUE(std::holds_alternative<msg::DecodeError>(parse_message(bad, limits))) << bad;
  }
}

TEST(SignalrCodec_Handshake, ResponseIsEmptyOrCarriesAnError) {
  Limits limits;
  EXPECT_FALSE(std::get<HandshakeResponse>(parse_handshake_response("{}", limits)).error);
  EXPECT_EQ(*std::get<HandshakeResponse>(parse_handshake_response(R"({"error":"nope"})", limits)).error, "nope");
  EXPECT_EQ(handshake_request(1), std::string("{\"protocol\":\"json\",\"version\":1}\x1e"));
}

TEST(SignalrCodec_Negotiate, TokenRedirectAndErrors) {
  auto ok = parse_negotiate(R"({"negotiateVersion":1,"connectionId":"c","connectionToken":"t","useStatefulReconnect":true,"availableTransports":[{"transport":"WebSockets"}]})");
  EXPECT_EQ(std::get<Negotiated>(ok).connection_token, "t");
  EXPECT_TRUE(std::get<Negotiated>(ok).stateful_reconnect);
  EXPECT_EQ(std::get<Negotiated>(parse_negotiate(R"({"connectionId":"c"})")).connection_token, "c");
  auto redirect = parse_negotiate(R"({"url":"https://other/hub","accessToken":"k"})");
  EXPECT_EQ(std::get<Redirect>(redirect).url, "https://other/hub");
  EXPECT_TRUE(std::holds_alternative<NegotiateFailed>(parse_negotiate(R"({"error":"no"})")));
  EXPECT_TRUE(std::holds_alternative<NegotiateFailed>(parse_negotiate(R"({"connectionToken":"t","availableTransports":[{"transport":"LongPolling"}]})")));
  EXPECT_EQ(negotiate_url("http://h/hubs/room?x=1"), "http://h/hubs/room/negotiate?negotiateVersion=1&useStatefulReconnect=true&x=1");
}

Config contract_config(SignalrContract c) {
  Config config;
  config.dialect = rtc_signaling::Dialect::signalr;
  config.url = "ws://h/hub";
  config.room = "r1";
  config.name = "me";
  config.signalr.contract = c;
  return config;
}

TEST(SignalrContracts, RoomMapsInvocationsAndHonoursRenames) {
  Config config = contract_config(SignalrContract::room);
  config.signalr.methods["Join"] = "JoinRoom";
  auto room = make_contract(config);
  auto join = room->join(msg::Join{"r1", "me", {}, {}}, std::nullopt);
  ASSERT_EQ(join.calls.size(), 1u);
  EXPECT_EQ(join.calls[0].target, "JoinRoom");
  EXPECT_TRUE(join.calls[0].join);
  auto welcome = room->on_invocation("welcome", json::array({"p1", json::array({{{"id", "p2"}, {"name", "bob"}}})}), "");
  auto& w = std::get<msg::Welcome>(std::get<msg::ServerMessage>(welcome.messages.at(0)));
  EXPECT_EQ(w.id, "p1");
  EXPECT_EQ(w.peers, (std::vector<msg::PeerEntry>{{"p2", "bob"}}));
  auto signal = room->on_invocation("Signal", json::array({"p2", R"({"candidate":null})"}), "p1");
  EXPECT_TRUE(std::holds_alternative<EndOfCandidates>(
      std::get<msg::Signal>(std::get<msg::ServerMessage>(signal.messages.at(0))).payload));
  auto bad = room->on_invocation("Signal", json::array({"p2", R"({"description":{"type":"offer","sdp":"x"}})"}), "p1");
  EXPECT_TRUE(std::holds_alternative<msg::DecodeError>(bad.messages.at(0)));
}

TEST(SignalrContracts, SignalrtcRepliesHelloAndNewcomerCalls) {
  auto c = make_contract(contract_config(SignalrContract::signalrtc));
  auto arrived = c->on_invocation("NewUserArrived", json::array({R"({"userName":"bob","connectionId":"c2"})"}), "self");
  auto& pj = std::get<msg::PeerJoined>(std::get<msg::ServerMessage>(arrived.messages.at(0)));
  EXPECT_FALSE(pj.initiate);
  ASSERT_EQ(arrived.calls.size(), 1u);
  EXPECT_EQ(arrived.calls[0], (Call{"HelloUser", json::array({"me", "c2"}), false}));
  auto hello = c->on_invocation("UserSaidHello", json::array({R"({"userName":"bob","connectionId":"c2"})"}), "self");
  EXPECT_TRUE(std::get<msg::PeerJoined>(std::get<msg::ServerMessage>(hello.messages.at(0))).initiate);
  auto control = c->on_invocation("SendSignal", json::array({"c2", R"({"renegotiate":true})"}), "self");
  EXPECT_TRUE(std::holds_alternative<msg::Unknown>(std::get<msg::ServerMessage>(control.messages.at(0))));
  Candidate cand{"candidate:1 1 udp 1 1.2.3.4 5 typ host", "0", 0, std::nullopt};
  EXPECT_EQ(*encode_simplepeer(cand), json::parse(R"({"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMLineIndex":0,"sdpMid":"0"}})"));
  EXPECT_FALSE(encode_simplepeer(EndOfCandidates{}));
}

template <class T>
const T& nth(const Translated& t, std::size_t i) {
  return std::get<T>(std::get<msg::ServerMessage>(t.messages.at(i)));
}

TEST(SignalrContracts, Ekobit_TheFirstCreatedOrJoinedIsOurWelcome) {
  auto c = make_contract(contract_config(SignalrContract::ekobit));
  auto created = c->on_invocation("created", json::array(), "");
  ASSERT_EQ(created.messages.size(), 1u);
  EXPECT_EQ(nth<msg::Welcome>(created, 0).id, "initiator");
  EXPECT_TRUE(created.calls.empty());

  // A newcomer is told joined() with the whole group and is never sure anyone is there: it shows
  // no peer, and says what the article's client says so that an article client in the room calls.
  auto joined = c->on_invocation("joined", json::array(), "");
  ASSERT_EQ(joined.messages.size(), 1u);
  EXPECT_EQ(nth<msg::Welcome>(joined, 0).id, "joiner");
  ASSERT_EQ(joined.calls.size(), 1u);
  EXPECT_EQ(joined.calls[0].target, "SendMessage");
  EXPECT_EQ(joined.calls[0].arguments, json::array({"got user media", "r1"})) << "message first, then the room";
  EXPECT_TRUE(c->on_invocation("created", json::array(), "initiator").messages.empty());
}

TEST(SignalrContracts, Ekobit_AJoinedInTheRoomIsANewcomerWeCall) {
  auto c = make_contract(contract_config(SignalrContract::ekobit));
  for (const std::string self : {"initiator", "joiner"}) {
    auto arrived = c->on_invocation("joined", json::array(), self);
    ASSERT_EQ(arrived.messages.size(), 2u) << self;
    const std::string other = self == "initiator" ? "joiner" : "initiator";
    EXPECT_EQ(nth<msg::PeerLeft>(arrived, 0).id, other) << "the room holds one call";
    EXPECT_EQ(nth<msg::PeerLeft>(arrived, 0).reason, "gone");
    EXPECT_EQ(nth<msg::PeerJoined>(arrived, 1).peer.id, other);
    EXPECT_TRUE(nth<msg::PeerJoined>(arrived, 1).initiate) << "whoever is in the room calls";
  }
}

TEST(SignalrContracts, Ekobit_CodelabShapesByeAndTheHubsChatter) {
  auto c = make_contract(contract_config(SignalrContract::ekobit));
  auto offer = c->on_invocation("message", json::array({{{"type", "offer"}, {"sdp", "v=0\r\n"}}}), "joiner");
  ASSERT_EQ(offer.messages.size(), 2u);
  EXPECT_EQ(nth<msg::PeerJoined>(offer, 0).peer.id, "initiator") << "its offer is the caller showing up";
  EXPECT_FALSE(nth<msg::PeerJoined>(offer, 0).initiate);
  EXPECT_EQ(nth<msg::Signal>(offer, 1).from, "initiator");
  auto cand = c->on_invocation(
      "message", json::array({{{"type", "candidate"}, {"label", 0}, {"id", "0"}, {"candidate", "candidate:1 1 udp 1 1.2.3.4 5 typ host"}}}),
      "initiator");
  ASSERT_EQ(cand.messages.size(), 1u);
  const auto& got = std::get<Candidate>(nth<msg::Signal>(cand, 0).payload);
  EXPECT_EQ(got.sdp_mid, "0");
  EXPECT_EQ(got.sdp_mline_index, 0);
  EXPECT_EQ(*encode_ekobit(got),
            json::parse(R"({"type":"candidate","label":0,"id":"0","candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host"})"));
  auto bye = c->on_invocation("message", json::array({"bye"}), "joiner");
  EXPECT_EQ(nth<msg::PeerLeft>(bye, 0).id, "initiator");
  EXPECT_EQ(nth<msg::PeerLeft>(bye, 0).reason, "left");
  EXPECT_TRUE(std::holds_alternative<msg::Unknown>(
      std::get<msg::ServerMessage>(c->on_invocation("message", json::array({"got user media"}), "initiator").messages.at(0))));
  EXPECT_TRUE(c->on_invocation("log", json::array({"[Server]: Client x joined the room r1"}), "initiator").messages.empty());

  auto signal = c->calls(msg::SignalTo{"joiner", 1, Description{"offer", "v=0\r\n"}});
  ASSERT_EQ(signal.size(), 1u);
  EXPECT_EQ(signal[0].arguments, json::array({{{"type", "offer"}, {"sdp", "v=0\r\n"}}, "r1"}));
  auto leave = c->calls(msg::Leave{});
  ASSERT_EQ(leave.size(), 2u);
  EXPECT_EQ(leave[0].arguments, json::array({"bye", "r1"}));
  EXPECT_EQ(leave[1].target, "LeaveRoom");
  EXPECT_EQ(leave[1].arguments, json::array({"r1"}));
}

} // namespace
} // namespace rtc_signaling::dialects::signalr

// The native v1 wire format (docs/ARCHITECTURE.md#walkthrough-the-native-dialect): exact shapes, round trips and rejections.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dialects/native.hpp"
#include "dialects/native_fast.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling::dialects::native {
namespace {

using nlohmann::json;

const Limits kLimits{};

const Description kOffer{"offer", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"};
const Candidate kCandidate{"candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host", "0", 0, "uf"};

msg::ServerMessage server_ok(const std::string& text) {
  auto d = decode_server(text, kLimits);
  EXPECT_TRUE(std::holds_alternative<msg::ServerMessage>(d))
      << text << " -> " << std::get<msg::DecodeError>(d).message;
  if (auto* m = std::get_if<msg::ServerMessage>(&d))
    return *m;
  return msg::Unknown{"<rejected>"};
}

std::string server_rejects(const std::string& text) {
  auto d = decode_server(text, kLimits);
  EXPECT_TRUE(std::holds_alternative<msg::DecodeError>(d)) << "accepted: " << text;
  if (auto* e = std::get_if<msg::DecodeError>(&d))
    return e->code;
  return "";
}

// ---- Exact shapes of client frames.

TEST(NativeCodec, ClientFramesHaveTheDocumentedShape) {
  EXPECT_EQ(json::parse(encode_client(msg::Join{"r1", "alice", std::nullopt, std::nullopt})),
            json::parse(R"({"type":"join","room":"r1","name":"alice"})"));
  EXPECT_EQ(
      json::parse(encode_client(msg::Join{"r1", "alice", "tok", 17})),
      json::parse(R"({"type":"join","room":"r1","name":"alice","resume":"tok","lastSeq":17})"));
  EXPECT_EQ(
      json::parse(encode_client(msg::SignalTo{"p2", 5, Description{"offer", "v=0..."}})),
      json::parse(
          R"({"type":"signal","to":"p2","seq":5,"data":{"description":{"type":"offer","sdp":"v=0..."}}})"));
  EXPECT_EQ(
      json::parse(
          encode_client(msg::SignalTo{"p2", 6, Candidate{"candidate:x", "0", 0, std::nullopt}})),
      json::parse(
          R"({"type":"signal","to":"p2","seq":6,"data":{"candidate":{"candidate":"candidate:x","sdpMid":"0","sdpMLineIndex":0}}})"));
  EXPECT_EQ(json::parse(encode_client(msg::SignalTo{"p2", 7, EndOfCandidates{}})),
            json::parse(R"({"type":"signal","to":"p2","seq":7,"data":{"candidate":null}})"));
  EXPECT_EQ(json::parse(encode_client(msg::AckOut{42})), json::parse(R"({"type":"ack","seq":42})"));
  EXPECT_EQ(json::parse(encode_client(msg::Ping{})), json::parse(R"({"type":"ping"})"));
  EXPECT_EQ(json::parse(encode_client(msg::Leave{})), json::parse(R"({"type":"leave"})"));
}

TEST(NativeCodec, ServerFramesFromTheDesignDecode) {
  EXPECT_EQ(
      server_ok(
          R"({"type":"welcome","id":"p1","room":"r1","resume":"<token>","resumed":false,"ack":4,
 "peers":[{"id":"p2","name":"bob"}]})"),
      msg::ServerMessage(msg::Welcome{"p1", "r1", "<token>", false, 4, {{"p2", "bob"}}}));
  EXPECT_EQ(server_ok(R"({"type":"peer-joined","seq":18,"peer":{"id":"p3","name":"carol"}})"),
            msg::ServerMessage(msg::PeerJoined{18, {"p3", "carol"}}));
  EXPECT_EQ(server_ok(R"({"type":"peer-left","seq":19,"id":"p3","reason":"timeout"})"),
            msg::ServerMessage(msg::PeerLeft{19, "p3", "timeout"}));
  EXPECT_EQ(server_ok(R"({"type":"signal","seq":20,"from":"p2","data":{"candidate":null}})"),
            msg::ServerMessage(msg::Signal{20, "p2", EndOfCandidates{}}));
  EXPECT_EQ(server_ok(R"({"type":"ack","seq":7})"), msg::ServerMessage(msg::Ack{7}));
  EXPECT_EQ(server_ok(R"({"type":"pong"})"), msg::ServerMessage(msg::Pong{}));
  EXPECT_EQ(
      server_ok(R"({"type":"error","code":"room-full","message":"room r1 is full","fatal":true})"),
      msg::ServerMessage(msg::ServerError{"room-full", "room r1 is full", true}));
}

// ---- Round trips.

TEST(NativeCodec, EveryClientMessageRoundTrips) {
  const std::vector<msg::ClientMessage> all = {
      msg::Join{"r1", "alice", std::nullopt, std::nullopt},
      msg::Join{"room with spaces", "\xC3\xA9lise", "resume-token", 0},
      msg::SignalTo{"p2", 1, kOffer},
      msg::SignalTo{"p.2:x-y_z", 9007199254740991ull, kCandidate},
      msg::SignalTo{"p2", 3, Candidate{"", std::nullopt, std::nullopt, std::nullopt}},
      msg::SignalTo{"p2", 4, EndOfCandidates{}},
      msg::SignalTo{"p2", 5, Description{"rollback", ""}},
      msg::AckOut{0},
      msg::AckOut{123},
      msg::Ping{},
      msg::Leave{},
  };
  for (const auto& m : all) {
    const std::string text = encode_client(m);
    auto back = decode_client(text, kLimits);
    ASSERT_TRUE(std::holds_alternative<msg::ClientMessage>(back)) << text;
    EXPECT_EQ(std::get<msg::ClientMessage>(back), m) << text;
  }
}

TEST(NativeCodec, EveryServerMessageRoundTrips) {
  const std::vector<msg::ServerMessage> all = {
      msg::Welcome{"p1", "r1", std::nullopt, false, std::nullopt, {}},
      msg::Welcome{"p1", "r1", "tok", true, 12, {{"p2", "bob"}, {"p3", ""}}},
      msg::PeerJoined{1, {"p2", "bob"}},
      msg::PeerJoined{std::nullopt,
                      {"p2", "b\xC3\xB6"
                             "b"}},
      msg::PeerLeft{2, "p2", "left"},
      msg::PeerLeft{std::nullopt, "p2", "timeout"},
      msg::Signal{3, "p2", kOffer},
      msg::Signal{4, "p2", kCandidate},
      msg::Signal{5, "p2", EndOfCandidates{}},
      msg::Signal{std::nullopt, "p2", Description{"answer", "v=0\ns=-\n"}},
      msg::Ack{0},
      msg::Ack{99},
      msg::Pong{},
      msg::ServerError{"rate-limited", "slow down", false},
      msg::ServerError{"room-full", "", true},
      msg::Unknown{"future-type"},
  };
  for (const auto& m : all) {
    const std::string text = encode_server(m);
    EXPECT_EQ(server_ok(text), m) << text;
  }
}

TEST(NativeCodec, UnknownTypesDecodeAsUnknownNotAsErrors) {
  EXPECT_EQ(server_ok(R"({"type":"presence","x":[1,2,3]})"),
            msg::ServerMessage(msg::Unknown{"presence"}));
}

TEST(NativeCodec, OptionalFieldsMayBeAbsentOrNull) {
  EXPECT_EQ(server_ok(R"({"type":"welcome","id":"p1","room":"r1"})"),
            msg::ServerMessage(msg::Welcome{"p1", "r1", std::nullopt, false, std::nullopt, {}}));
  EXPECT_EQ(
      server_ok(
          R"({"type":"welcome","id":"p1","room":"r1","resume":null,"ack":null,"peers":null})"),
      msg::ServerMessage(msg::Welcome{"p1", "r1", std::nullopt, false, std::nullopt, {}}));
  EXPECT_EQ(
      server_ok(
          R"({"type":"signal","from":"p2","data":{"candidate":{"candidate":"","sdpMid":null,"sdpMLineIndex":null}}})"),
      msg::ServerMessage(msg::Signal{std::nullopt, "p2", Candidate{}}));
  EXPECT_EQ(server_ok(R"({"type":"peer-left","id":"p2"})"),
            msg::ServerMessage(msg::PeerLeft{std::nullopt, "p2", "left"}));
}

// ---- Rejections, per message type.

TEST(NativeCodec, MalformedFramesAreRejectedAsBadMessage) {
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[]",
      "42",
      "\"welcome\"",
      "{}",
      R"({"type":5})",
      R"({"type":null})",
      // welcome
      R"({"type":"welcome","room":"r1"})",
      R"({"type":"welcome","id":"bad id","room":"r1"})",
      R"({"type":"welcome","id":"p1"})",
      R"({"type":"welcome","id":"p1","room":7})",
      R"({"type":"welcome","id":"p1","room":"r1","resumed":"yes"})",
      R"({"type":"welcome","id":"p1","room":"r1","ack":-1})",
      R"({"type":"welcome","id":"p1","room":"r1","ack":1.5})",
      R"({"type":"welcome","id":"p1","room":"r1","peers":{}})",
      R"({"type":"welcome","id":"p1","room":"r1","peers":[{"name":"x"}]})",
      R"({"type":"welcome","id":"p1","room":"r1","peers":["p2"]})",
      R"({"type":"welcome","id":"p1","room":"r1","resume":5})",
      // peer-joined
      R"({"type":"peer-joined","seq":1})",
      R"({"type":"peer-joined","seq":0,"peer":{"id":"p2"}})",
      R"({"type":"peer-joined","seq":1,"peer":{"id":""}})",
      R"({"type":"peer-joined","seq":1,"peer":{"id":"p2","name":3}})",
      R"({"type":"peer-joined","seq":9007199254740992,"peer":{"id":"p2"}})",
      // peer-left
      R"({"type":"peer-left","seq":1})",
      R"({"type":"peer-left","seq":"1","id":"p2"})",
      R"({"type":"peer-left","seq":1,"id":"p/2"})",
      // signal
      R"({"type":"signal","seq":1,"data":{"candidate":null}})",
      R"({"type":"signal","seq":1,"from":"p2"})",
      R"({"type":"signal","seq":1,"from":"p2","data":[]})",
      R"({"type":"signal","seq":1,"from":"p2","data":{}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"description":"v=0"}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"description":{"type":"offer"}}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"description":{"type":"bogus","sdp":"v=0"}}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"description":{"type":"offer","sdp":"hello"}}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":"candidate:1"}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":{"candidate":"host 1"}}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":{"sdpMid":"0"}}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":{"candidate":"","sdpMLineIndex":-1}}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":{"candidate":"","sdpMLineIndex":"0"}}})",
      R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":{"candidate":"","sdpMid":0}}})",
      // ack
      R"({"type":"ack"})",
      R"({"type":"ack","seq":-3})",
      R"({"type":"ack","seq":true})",
      // error
      R"({"type":"error","message":"no code"})",
      R"({"type":"error","code":"x","fatal":"true"})",
  };
  for (const auto& text : bad)
    EXPECT_EQ(server_rejects(text), errc::bad_message) << text;
}

TEST(NativeCodec, MalformedClientFramesAreRejected) {
  const std::vector<std::string> bad = {
      R"({"type":"join"})",
      R"({"type":"join","room":""})",
      R"({"type":"join","room":"r1","lastSeq":-1})",
      R"({"type":"signal","to":"p2","data":{"candidate":null}})",
      R"({"type":"signal","to":"p2","seq":0,"data":{"candidate":null}})",
      R"({"type":"signal","to":"","seq":1,"data":{"candidate":null}})",
      R"({"type":"signal","to":"p2","seq":1})",
      R"({"type":"ack"})",
      R"({"type":"welcome","id":"p1","room":"r1"})",
  };
  for (const auto& text : bad) {
    auto d = decode_client(text, kLimits);
    EXPECT_TRUE(std::holds_alternative<msg::DecodeError>(d)) << text;
  }
}

TEST(NativeCodec, EncodingNeverThrowsOnInvalidUtf8) {
  // dump() throws on invalid UTF-8 unless told otherwise; the core must not throw.
  std::string text;
  EXPECT_NO_THROW(text = encode_client(msg::Join{"r1", "bad\xFF", std::nullopt, std::nullopt}));
  EXPECT_FALSE(text.empty());
}

TEST(NativeCodec, SocketUrlCarriesRoomAndOptionalToken) {
  Config c;
  c.url = "ws://h:1/signal";
  c.room = "r&1";
  Native n(c.limits);
  EXPECT_EQ(n.socket_url(c, std::nullopt), "ws://h:1/signal?room=r%261");
  EXPECT_EQ(n.socket_url(c, std::string("t=1")), "ws://h:1/signal?room=r%261&access_token=t%3D1");
  c.url = "ws://h:1/signal?v=1";
  EXPECT_EQ(n.socket_url(c, std::nullopt), "ws://h:1/signal?v=1&room=r%261");
}

// The DOM-free path for candidates (native_fast.hpp) takes the reference server's usual form and
// gives up on everything else; whatever it takes, the full decoder decodes to the same message.
TEST(NativeCodec, FastCandidatePathTakesOnlyWhatTheFullDecoderAgreesWith) {
  const std::string c = R"("candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host")";
  const std::vector<std::pair<std::string, bool>> frames = {
      {R"({"type":"signal","seq":7,"from":"p2","data":{"candidate":{"candidate":)" + c + R"(,"sdpMid":"0","sdpMLineIndex":0}}})", true},
      {R"({"data":{"candidate":{"usernameFragment":"uf","candidate":)" + c + R"(,"sdpMid":null,"sdpMLineIndex":null},"x":1},"seq":null,"from":"p-2","type":"signal","extra":"y"})", true},
      {R"({"type":"signal","seq":9,"from":"p2","data":{"candidate":null}})", true},
      // Declined: left to the full decoder, which accepts or rejects them itself.
      {R"({"type":"signal","seq":7,"from":"p2","data":{"candidate":{"candidate":"candidate:1 1 udp 1 10.0.0.1 1 typ host\u0020"}}})", false},
      {R"({ "type":"signal","seq":7,"from":"p2","data":{"candidate":null}})", false},
      {R"({"type":"signal","seq":7.0,"from":"p2","data":{"candidate":null}})", false},
      {R"({"type":"signal","seq":0,"from":"p2","data":{"candidate":null}})", false},
      {R"({"type":"signal","seq":07,"from":"p2","data":{"candidate":null}})", false},
      {R"({"type":"signal","seq":1,"from":"p2","from":"p3","data":{"candidate":null}})", false},
      {R"({"type":"signal","seq":1,"from":"bad id!","data":{"candidate":null}})", false},
      {R"({"type":"signal","seq":1,"from":"p2","data":{"description":{"type":"offer","sdp":"v=0"},"candidate":null}})", false},
      {R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":{"candidate":"not a candidate"}}})", false},
      {R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":{"sdpMid":"0"}}})", false},
      {R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":{"candidate":)" + c + R"(,"sdpMLineIndex":70000}}})", false},
      {R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":null},"nested":{}})", false},
      {R"({"type":"ack","seq":1})", false},
      {R"({"type":"signal","seq":1,"from":"p2","data":{"candidate":null}} )", false},
  };
  for (const auto& [frame, fast] : frames) {
    auto taken = fast_candidate_signal(frame, kLimits);
    EXPECT_EQ(taken.has_value(), fast) << frame;
    const auto full = decode_server_dom(frame, kLimits);
    if (taken) {
      const auto* m = std::get_if<msg::ServerMessage>(&full);
      ASSERT_NE(m, nullptr) << frame;
      const auto* s = std::get_if<msg::Signal>(m);
      ASSERT_NE(s, nullptr) << frame;
      EXPECT_EQ(*s, *taken) << frame;
    }
    // decode_server is the fast path, else the full decoder: the same result either way.
    const auto combined = decode_server(frame, kLimits);
    EXPECT_EQ(combined.index(), full.index()) << frame;
  }
  Limits shallow = kLimits;
  shallow.max_json_depth = 2;
  EXPECT_FALSE(fast_candidate_signal(frames[0].first, shallow)) << "deeper than the limit";
}

} // namespace
} // namespace rtc_signaling::dialects::native

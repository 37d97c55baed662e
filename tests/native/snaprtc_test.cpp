// The snaprtc hub contract (the SnapRTC seed's session hub) and what it needs: lz-string's URI
// encoding, checked against the npm package's own output; candidates folded into a description
// (SnapRTC does not trickle); and `signaling: until-connected`, which closes the socket once the
// call is up and reopens it when a signal must go out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "client_driver.hpp"
#include "dialects/lz_string.hpp"
#include "dialects/signalr_contracts.hpp"

namespace rtc_signaling::testing {
namespace {

using nlohmann::json;
namespace lz = dialects::lz;

// ---------------------------------------------------------------- lz-string

// Produced by lz-string 1.5.0: LZString.compressToEncodedURIComponent(text).
TEST(LzString, CompressesExactlyAsTheNpmPackage) {
  const std::vector<std::pair<std::string, std::string>> known = {
      {"", "Q"},
      {"a", "IZA"},
      {"hello", "BYUwNmD2Q"},
      {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "IY18ZlA"},
      {R"({"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"})",
       "N4IgLgngDgpiBcID2AzFMBOIA0IDOAJlAiAG4C8ADADobUB2S5AtAAQCMrATKwJIByfAAoAWDlwDsAOkoyp7WgxABfIA"},
      {"h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC\xF0\x9D\x84\x9E", "BYS4NmD2AEDuBvAnMATagagkCwbg8XaA"},
      {"abababababababababab", "IYI17SIo"},
  };
  for (const auto& [text, encoded] : known) {
    EXPECT_EQ(lz::compress_uri(text), encoded) << text;
    if (!text.empty())
      EXPECT_EQ(lz::decompress_uri(encoded, 1 << 16), text) << encoded;
  }
}

TEST(LzString, RoundTripsSeededRandomTextWithEveryUtf8Width) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"a", "b", "{", "\"", ":", "\\r\\n", "0", " ",
                                           "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9D\x84\x9E",
                                           "candidate", "sdp"};
  for (int round = 0; round < 300; ++round) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 400);
    for (int i = 0; i < n; ++i)
      text += pieces[rng() % pieces.size()];
    const std::string encoded = lz::compress_uri(text);
    EXPECT_EQ(encoded.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"),
              std::string::npos);
    EXPECT_EQ(lz::decompress_uri(encoded, text.size()), text);
  }
}

TEST(LzString, RefusesWhatIsNotLzStringAndBoundsTheOutput) {
  EXPECT_FALSE(lz::decompress_uri("", 100));
  EXPECT_FALSE(lz::decompress_uri("!!!", 100)) << "outside the alphabet";
  EXPECT_FALSE(lz::decompress_uri("Q", 100)) << "an empty text carries no signal";
  EXPECT_FALSE(lz::decompress_uri("IZA$$$$", 100).has_value() &&
               *lz::decompress_uri("IZA$$$$", 100) != "a");
  // 35 characters in 7 symbols: a tighter bound refuses before producing them.
  EXPECT_EQ(lz::decompress_uri("IY18ZlA", 35), std::string(35, 'a'));
  EXPECT_FALSE(lz::decompress_uri("IY18ZlA", 34));
  // A code naming no dictionary entry.
  EXPECT_FALSE(lz::decompress_uri("I////", 100));
  // A space is what a URL decoder makes of '+'.
  const std::string plus = lz::compress_uri("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~");
  std::string spaced = plus;
  for (auto& c : spaced)
    c = c == '+' ? ' ' : c;
  EXPECT_EQ(lz::decompress_uri(spaced, 100), lz::decompress_uri(plus, 100));
}

// ---------------------------------------------------------------- candidates into the SDP

TEST(SdpWithCandidates, PutsEachCandidateInItsSectionOnceAndEndsGathering) {
  const std::string sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
                          "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
                          "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\n"
                          "a=candidate:1 1 udp 9 10.0.0.1 5000 typ host\r\n";
  const std::vector<Candidate> candidates = {
      {"candidate:1 1 udp 9 10.0.0.1 5000 typ host", "1", 1, std::nullopt}, // already there
      {"candidate:2 1 udp 9 10.0.0.2 5002 typ host", "0", 0, std::nullopt},
      {"candidate:3 1 udp 9 10.0.0.3 5003 typ host", "1", std::nullopt, std::nullopt}, // by mid
      {"candidate:4 1 udp 9 10.0.0.4 5004 typ host", "9", 7, std::nullopt},            // nowhere
  };
  EXPECT_EQ(dialects::signalr::sdp_with_candidates(sdp, candidates),
            "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
            "a=candidate:2 1 udp 9 10.0.0.2 5002 typ host\r\na=end-of-candidates\r\n"
            "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\n"
            "a=candidate:1 1 udp 9 10.0.0.1 5000 typ host\r\n"
            "a=candidate:3 1 udp 9 10.0.0.3 5003 typ host\r\na=end-of-candidates\r\n");
}

// ---------------------------------------------------------------- the contract in a session

std::string rec(const json& j) {
  return j.dump() + '\x1e';
}
std::string invocation(const std::string& target, json args) {
  return rec({{"type", 1}, {"target", target}, {"arguments", std::move(args)}});
}
std::string packed(const json& signal) {
  return lz::compress_uri(signal.dump());
}

const char* kOfferSdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=application 9 UDP/DTLS/SCTP "
                        "webrtc-datachannel\r\na=mid:0\r\na=ice-ufrag:abcd\r\n";
const Candidate kHost{"candidate:1 1 udp 9 10.0.0.1 5000 typ host", "0", 0, "abcd"};

class SnaprtcSession : public ::testing::Test {
protected:
  static Config config(SignalrRole role) {
    Config c = test_config();
    c.url = "ws://hub.test/hubs/snaprtc";
    c.room = "session-42";
    c.dialect = Dialect::signalr;
    c.signalr.contract = SignalrContract::snaprtc;
    c.signalr.role = role;
    c.signalr.skip_negotiation = true;
    return c;
  }

  std::vector<json> invocations(ClientDriver& d, const std::string& target) const {
    return signalr_invocations(d, target);
  }

  void open(ClientDriver& d) {
    d.handle(input::Join{});
    ASSERT_TRUE(d.last<output::OpenSocket>());
    d.handle(input::SocketOpened{});
    d.frame("{}\x1e");
    ASSERT_EQ(d.client.state(), SessionState::open);
  }

  /// The initiator's side up to its complete offer on the wire.
  json initiator_offers(ClientDriver& d) {
    open(d);
    d.frame(invocation("signalStart", json::array()));
    d.handle(input::NegotiationNeeded{"capture"});
    auto sld = d.last<output::SetLocalDescription>();
    EXPECT_TRUE(sld);
    d.handle(input::OperationDone{"capture", sld->op_id, true, "", Description{"offer", kOfferSdp}});
    d.handle(input::IceCandidate{"capture", kHost});
    EXPECT_TRUE(invocations(d, "SignalCapture").empty()) << "no trickle: held until gathering ends";
    d.handle(input::IceCandidate{"capture", std::nullopt});
    auto sent = invocations(d, "SignalCapture");
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? json() : sent[0];
  }
};

TEST_F(SnaprtcSession, Snaprtc_InitiatorSyncsNotReadyAndCallsOnceTheCaptureSideIsReady) {
  ClientDriver d{config(SignalrRole::initiator)};
  open(d);
  const auto sync = invocations(d, "Sync");
  ASSERT_EQ(sync.size(), 1u);
  EXPECT_EQ(sync[0]["arguments"], json::array({"session-42", false}));
  EXPECT_EQ(d.client.self_id(), "initiator");
  EXPECT_TRUE(d.client.peers().empty());
  d.frame(invocation("signalStart", json::array()));
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->peer, "capture");
  EXPECT_FALSE(pc->polite) << "the caller";
}

TEST_F(SnaprtcSession, Snaprtc_TheOfferGoesOutOnceWithItsCandidatesAndCompressed) {
  ClientDriver d{config(SignalrRole::initiator)};
  const json call = initiator_offers(d);
  ASSERT_EQ(call["arguments"].size(), 2u);
  EXPECT_EQ(call["arguments"][0], "session-42");
  auto plain = lz::decompress_uri(call["arguments"][1].get<std::string>(), 1 << 16);
  ASSERT_TRUE(plain);
  const json signal = json::parse(*plain);
  EXPECT_EQ(signal["type"], "offer");
  const std::string sdp = signal["sdp"];
  EXPECT_NE(sdp.find("a=candidate:1 1 udp 9 10.0.0.1 5000 typ host\r\n"), std::string::npos);
  EXPECT_NE(sdp.find("a=end-of-candidates\r\n"), std::string::npos);
  // The hub echoes it to the whole group: our own offer back is not applied.
  d.clear();
  d.frame(invocation("signalCapture", json::array({call["arguments"][1]})));
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 0u);
  EXPECT_TRUE(d.error_codes().empty());
  // The capture side's answer is.
  d.frame(invocation("signalInitiator",
                     json::array({packed({{"type", "answer"}, {"sdp", kOfferSdp}})})));
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  EXPECT_EQ(srd->description.type, "answer");
}

TEST_F(SnaprtcSession, Snaprtc_CaptureSyncsReadyAnswersTheOfferAndIgnoresItsEchoes) {
  ClientDriver d{config(SignalrRole::capture)};
  open(d);
  const auto sync = invocations(d, "Sync");
  ASSERT_EQ(sync.size(), 1u);
  EXPECT_EQ(sync[0]["arguments"], json::array({"session-42", true}));
  d.frame(invocation("signalStart", json::array())); // our own ready, back to us
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u);
  d.frame(invocation("signalCapture", json::array({packed({{"type", "offer"}, {"sdp", kOfferSdp}})})));
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  EXPECT_EQ(pc->peer, "initiator");
  EXPECT_TRUE(pc->polite);
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  d.handle(input::OperationDone{"initiator", srd->op_id, true, "", std::nullopt});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  EXPECT_EQ(sld->type, "answer");
  d.handle(input::OperationDone{"initiator", sld->op_id, true, "", Description{"answer", kOfferSdp}});
  d.handle(input::IceCandidate{"initiator", std::nullopt});
  const auto answer = invocations(d, "SignalInitiator");
  ASSERT_EQ(answer.size(), 1u);
  d.clear();
  d.frame(invocation("signalInitiator", json::array({answer[0]["arguments"][1]})));
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 0u) << "our own answer, echoed";
}

TEST_F(SnaprtcSession, Snaprtc_APayloadThatIsNotLzStringIsDroppedWithBadMessage) {
  ClientDriver d{config(SignalrRole::capture)};
  open(d);
  d.frame(invocation("signalCapture", json::array({"{\"type\":\"offer\"}"})));
  d.frame(invocation("signalCapture", json::array({packed("not an object")})));
  d.frame(invocation("signalCapture", json::array({42})));
  EXPECT_EQ(d.error_codes(), (std::vector<std::string>{"bad-message", "bad-message", "bad-message"}));
  EXPECT_EQ(d.count<output::CreatePeerConnection>(), 0u);
  EXPECT_EQ(d.client.state(), SessionState::open);
}

TEST_F(SnaprtcSession, Snaprtc_WithoutARoleTheConfigIsInvalid) {
  ClientDriver d{config(SignalrRole::none)};
  d.handle(input::Join{});
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "invalid-config");
  EXPECT_TRUE(e->fatal);
}

// ---------------------------------------------------------------- signaling: until-connected

TEST_F(SnaprtcSession, UntilConnected_ClosesTheSocketOnceConnectedAndReopensWhenTheCallFalters) {
  Config c = config(SignalrRole::initiator);
  c.signaling = SignalingMode::until_connected;
  ClientDriver d{c};
  const json offer = initiator_offers(d);
  d.frame(invocation("signalInitiator",
                     json::array({packed({{"type", "answer"}, {"sdp", kOfferSdp}})})));
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  d.handle(input::OperationDone{"capture", srd->op_id, true, "", std::nullopt});
  d.clear();
  d.advance(1'000);
  EXPECT_EQ(d.count<output::CloseSocket>(), 0u) << "not connected yet";
  d.handle(input::ConnectionStateChanged{"capture", ConnectionState::connected});
  d.advance(c.park_after_ms);
  auto close = d.last<output::CloseSocket>();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->code, 1000);
  EXPECT_EQ(d.client.state(), SessionState::dormant);
  // Dormant: no attempt, no ping, however long.
  d.clear();
  d.advance(10 * 60'000);
  EXPECT_EQ(d.count<output::OpenSocket>(), 0u);
  EXPECT_EQ(d.count<output::SendFrame>(), 0u);
  EXPECT_EQ(d.count<output::Reconnecting>(), 0u);
  // The call falters: either side may have to restart ICE, which needs signaling.
  d.handle(input::ConnectionStateChanged{"capture", ConnectionState::disconnected});
  ASSERT_TRUE(d.last<output::OpenSocket>());
  EXPECT_EQ(d.client.state(), SessionState::connecting);
  d.handle(input::SocketOpened{});
  d.frame("{}\x1e");
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_EQ(invocations(d, "Sync").size(), 1u);
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 0u) << "joining again keeps the call";
  auto joined = d.last<output::Joined>();
  ASSERT_TRUE(joined);
  EXPECT_TRUE(joined->resumed);
  // Repaired without a restart: settled again, so dormant again.
  d.handle(input::ConnectionStateChanged{"capture", ConnectionState::connected});
  d.advance(c.park_after_ms);
  EXPECT_EQ(d.client.state(), SessionState::dormant);
}

TEST(UntilConnected, NativeParksOnlyOnceItsSignalsAreAckedAndWakesToSendARenegotiation) {
  Config c = test_config();
  c.signaling = SignalingMode::until_connected;
  ClientDriver d{c};
  d.join_open({{"p2", "bob"}});
  auto pc = d.last<output::CreatePeerConnection>();
  ASSERT_TRUE(pc);
  d.handle(input::NegotiationNeeded{"p2"});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", kOfferSdp}});
  d.handle(input::IceCandidate{"p2", std::nullopt});
  d.server(msg::Signal{1, "p2", Description{"answer", kOfferSdp}});
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  d.handle(input::OperationDone{"p2", srd->op_id, true, "", std::nullopt});
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  d.advance(5'000);
  EXPECT_EQ(d.client.state(), SessionState::open) << "the offer and end-of-candidates are unacked";
  const auto sent = d.sent_of<msg::SignalTo>();
  ASSERT_FALSE(sent.empty());
  d.server(msg::Ack{sent.back().seq});
  d.advance(5'000);
  EXPECT_EQ(d.client.state(), SessionState::dormant);
  // A renegotiation (a camera turned on) must reach the peer: the socket reopens and resumes.
  d.clear();
  d.handle(input::NegotiationNeeded{"p2"});
  sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", kOfferSdp}});
  ASSERT_TRUE(d.last<output::OpenSocket>());
  d.handle(input::SocketOpened{});
  const auto joins = d.sent_of<msg::Join>();
  ASSERT_EQ(joins.size(), 1u);
  EXPECT_TRUE(joins[0].resume) << "the same session, resumed";
}

} // namespace
} // namespace rtc_signaling::testing

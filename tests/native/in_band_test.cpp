// In-band signaling (docs/ARCHITECTURE.md#in-band-signaling), one Client at a time: the test
// plays the server and the remote peer p2, so each route decision is visible as the output it
// produces (SendFrame to the server, SendOnSignalChannel to p2). The random interleavings of the
// same rules, with channels closing and the server stalling, are in negotiation_clients_test.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "client/in_band.hpp"
#include "client/reliable_stream.hpp"
#include "client_driver.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling::testing {
namespace {

using nlohmann::json;
using core::InBand;

const std::string kOffer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\na=ice-ufrag:ours1\r\n";
const std::string kOffer2 = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\na=ice-ufrag:ours1\r\na=x-video\r\n";
const std::string kAnswer = "v=0\r\no=- 2 1 IN IP4 0.0.0.0\r\na=ice-ufrag:theirs1\r\n";
const std::string kRemoteOffer =
    "v=0\r\no=- 2 2 IN IP4 0.0.0.0\r\na=ice-ufrag:theirs1\r\na=x-screen\r\n";

std::string marked(std::string sdp) { return sdp + std::string(InBand::kMarker) + "\r\n"; }

Candidate candidate(int port, const char* ufrag = "ours1") {
  return Candidate{"candidate:1 1 udp 1 10.0.0.1 " + std::to_string(port) + " typ host", "0", 0,
                   std::string(ufrag)};
}

/// A frame on the channel as the remote SDK writes it.
std::string channel_frame(std::uint64_t n, std::uint64_t s, json signal) {
  return json{{"n", n}, {"s", s}, {"signal", std::move(signal)}}.dump();
}
json candidate_json(int port, const char* ufrag = "theirs1") {
  return {{"candidate",
           {{"candidate", "candidate:2 1 udp 1 10.0.0.2 " + std::to_string(port) + " typ host"},
            {"sdpMid", "0"},
            {"sdpMLineIndex", 0},
            {"usernameFragment", ufrag}}}};
}

/// The welcome of a resumed session as p1 in r1.
msg::Welcome resumed_welcome(std::vector<msg::PeerEntry> peers) {
  msg::Welcome w;
  w.id = "p1";
  w.room = "r1";
  w.resume = "tok-1";
  w.resumed = true;
  w.peers = std::move(peers);
  return w;
}

Config in_band_config() {
  Config c = test_config();
  c.in_band_signaling = true;
  return c;
}

class InBandSession : public ::testing::Test {
protected:
  ClientDriver d{in_band_config()};

  /// The signals to p2 written to the server since the last clear().
  std::vector<msg::SignalTo> to_server() { return d.sent_of<msg::SignalTo>(); }
  /// The frames written on p2's channel since the last clear(), parsed.
  std::vector<json> on_channel() {
    std::vector<json> out;
    for (const auto& s : d.all<output::SendOnSignalChannel>()) {
      EXPECT_EQ(s.peer, "p2");
      out.push_back(json::parse(s.text));
    }
    return out;
  }
  std::vector<json> channel_signals() {
    std::vector<json> out;
    for (auto& f : on_channel())
      if (f.contains("signal"))
        out.push_back(f);
    return out;
  }

  /// Our local description, set and reported.
  void local(const std::string& type, const std::string& sdp) {
    auto sld = d.last<output::SetLocalDescription>();
    ASSERT_TRUE(sld);
    ASSERT_EQ(sld->type, type);
    d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{type, sdp}});
  }
  void complete_remote() {
    auto srd = d.last<output::SetRemoteDescription>();
    ASSERT_TRUE(srd);
    d.handle(input::OperationDone{"p2", srd->op_id, true, "", std::nullopt});
  }
  void complete_candidate() {
    auto add = d.last<output::AddIceCandidate>();
    ASSERT_TRUE(add);
    d.handle(input::OperationDone{"p2", add->op_id, true, "", std::nullopt});
  }

  /// We join as the newcomer and call p2 through the server; p2 answers (marked: an SDK peer
  /// with in-band signaling), the server acks our offer, the connection comes up.
  void call(bool remote_marks = true, bool ack = true) {
    d.join_open({{"p2", "bob"}});
    d.handle(input::NegotiationNeeded{"p2"});
    local("offer", kOffer);
    d.server(msg::Signal{1, "p2", Description{"answer", remote_marks ? marked(kAnswer) : kAnswer}});
    complete_remote();
    if (ack)
      d.server(msg::Ack{1});
    d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  }
  void open_channel() { d.handle(input::SignalChannelChanged{"p2", true}); }
};

TEST_F(InBandSession, OurDescriptionsCarryTheMarkerAndAMarkedAnswerOpensTheChannelOnce) {
  call();
  auto sent = to_server();
  ASSERT_EQ(sent.size(), 1u);
  const auto& offer = std::get<Description>(sent[0].payload);
  EXPECT_EQ(offer.sdp, marked(kOffer));
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  EXPECT_EQ(srd->description.sdp, kAnswer) << "the browser never sees the marker";
  ASSERT_EQ(d.count<output::OpenSignalChannel>(), 1u);
  EXPECT_EQ(d.last<output::OpenSignalChannel>()->peer, "p2");
  // A later marked description asks for nothing more.
  d.clear();
  d.server(msg::Signal{2, "p2", Description{"offer", marked(kRemoteOffer)}});
  EXPECT_EQ(d.count<output::OpenSignalChannel>(), 0u);
}

TEST_F(InBandSession, APeerThatDoesNotMarkItsDescriptionsStaysOnTheServerRoute) {
  call(/*remote_marks=*/false);
  EXPECT_EQ(d.count<output::OpenSignalChannel>(), 0u);
  d.clear();
  d.handle(input::IceCandidate{"p2", candidate(5000)});
  EXPECT_EQ(to_server().size(), 1u);
  EXPECT_EQ(d.count<output::SendOnSignalChannel>(), 0u);
}

TEST_F(InBandSession, OnceTheChannelIsOpenSignalsGoOnItNumberedAndCountingTheServerRoute) {
  call();
  EXPECT_FALSE(d.client.peers().at("p2").in_band);
  open_channel();
  EXPECT_TRUE(d.client.peers().at("p2").in_band) << "client.peers[].signaling is 'in-band'";
  d.clear();
  d.handle(input::IceCandidate{"p2", candidate(5000)});
  d.handle(input::IceCandidate{"p2", std::nullopt});
  EXPECT_TRUE(to_server().empty());
  auto frames = channel_signals();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0]["n"], 1);
  EXPECT_EQ(frames[0]["s"], 1) << "the offer went by the server before it";
  EXPECT_EQ(frames[0]["signal"]["candidate"]["candidate"], candidate(5000).candidate);
  EXPECT_EQ(frames[1]["n"], 2);
  EXPECT_TRUE(frames[1]["signal"]["candidate"].is_null()) << "end of candidates";
  EXPECT_EQ(d.client.stats().signals_sent_in_band, 2u);
  EXPECT_EQ(d.client.stats().signals_sent, 1u);
}

TEST_F(InBandSession, MidNegotiationServerToChannel_SignalsWaitBehindWhatTheServerMayStillCarry) {
  call(true, /*ack=*/false);  // our offer is not acknowledged by the server yet
  open_channel();
  d.clear();
  d.handle(input::IceCandidate{"p2", candidate(5000)});
  EXPECT_EQ(to_server().size(), 1u) << "the server may still carry the offer: stay behind it";
  EXPECT_TRUE(channel_signals().empty());
  d.server(msg::Ack{2});
  d.clear();
  d.handle(input::IceCandidate{"p2", candidate(5001)});
  EXPECT_TRUE(to_server().empty());
  ASSERT_EQ(channel_signals().size(), 1u);
  EXPECT_EQ(channel_signals()[0]["s"], 2);
}

TEST_F(InBandSession, MidNegotiationChannelToServer_AnOfferTheClosedChannelLeftUnansweredGoesByTheServer) {
  call();
  open_channel();
  d.handle(input::NegotiationNeeded{"p2"});
  local("offer", kOffer2);
  d.handle(input::IceCandidate{"p2", candidate(5002)});
  ASSERT_EQ(channel_signals().size(), 2u);
  d.clear();
  d.handle(input::SignalChannelChanged{"p2", false});
  EXPECT_FALSE(d.client.peers().at("p2").in_band);
  auto sent = to_server();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(std::get<Description>(sent[0].payload).sdp, marked(kOffer2)) << "the same offer";
  EXPECT_EQ(std::get<Candidate>(sent[1].payload).candidate, candidate(5002).candidate)
      << "its candidate, never acknowledged";
  // The answer comes by the server; later signals stay there.
  d.server(msg::Signal{2, "p2", Description{"answer", marked(kAnswer)}});
  complete_remote();
  d.clear();
  d.handle(input::IceCandidate{"p2", candidate(5003)});
  EXPECT_EQ(to_server().size(), 1u);
  EXPECT_EQ(d.count<output::SendOnSignalChannel>(), 0u);
  EXPECT_EQ(d.count<output::OpenSignalChannel>(), 0u) << "a closed channel is not reopened";
}

TEST_F(InBandSession, DuplicatesAcrossRoutesApplyOnce) {
  call();
  open_channel();
  d.clear();
  // The remote re-offered over the server after its channel closed, and the copy it had sent
  // in-band arrives as well: the second is a duplicate on the channel's own numbering...
  d.handle(input::SignalChannelMessage{"p2", channel_frame(1, 1, {{"description",
                                                                   {{"type", "offer"},
                                                                    {"sdp", marked(kRemoteOffer)}}}})});
  d.handle(input::SignalChannelMessage{"p2", channel_frame(1, 1, {{"description",
                                                                   {{"type", "offer"},
                                                                    {"sdp", marked(kRemoteOffer)}}}})});
  ASSERT_EQ(d.count<output::SetRemoteDescription>(), 1u);
  EXPECT_EQ(d.last<output::SetRemoteDescription>()->description.sdp, kRemoteOffer);
  complete_remote();
  local("answer", kOffer);
  EXPECT_EQ(channel_signals().size(), 1u) << "answered on the channel";
  // ... and an answer to our offer arriving twice (once per route) is applied once: the second
  // finds us stable and is stale.
  d.handle(input::NegotiationNeeded{"p2"});
  local("offer", kOffer2);
  const std::string answer = marked(kAnswer);
  d.handle(input::SignalChannelMessage{
      "p2", channel_frame(2, 1, {{"description", {{"type", "answer"}, {"sdp", answer}}}})});
  complete_remote();
  d.clear();
  d.server(msg::Signal{2, "p2", Description{"answer", answer}});
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 0u);
  EXPECT_TRUE(d.error_codes().empty());
  // Every channel message was acknowledged, duplicates included.
}

TEST_F(InBandSession, EveryChannelSignalIsAcknowledgedAndAcksRetireOurs) {
  call();
  open_channel();
  d.clear();
  d.handle(input::SignalChannelMessage{"p2", channel_frame(1, 1, candidate_json(6000))});
  auto frames = on_channel();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], json({{"ack", 1}}));
  d.handle(input::IceCandidate{"p2", candidate(5000)});
  d.handle(input::SignalChannelMessage{"p2", json{{"ack", 1}}.dump()});
  d.clear();
  // Acknowledged: nothing is resent when the channel closes.
  d.handle(input::SignalChannelChanged{"p2", false});
  EXPECT_TRUE(to_server().empty());
}

TEST_F(InBandSession, AChannelMessageWrittenBeforeItsSendersFallbackIsStaleAndDropped) {
  call();  // one server-route signal from p2 applied: its answer
  open_channel();
  d.clear();
  d.handle(input::SignalChannelMessage{"p2", channel_frame(1, 0, candidate_json(6000))});
  EXPECT_EQ(d.count<output::AddIceCandidate>(), 0u);
  EXPECT_EQ(d.client.stats().signals_received_in_band, 0u);
  EXPECT_EQ(on_channel().size(), 1u) << "acknowledged all the same";
}

TEST_F(InBandSession, AChannelMessageWaitsForTheServerSignalWrittenBeforeIt) {
  call();
  open_channel();
  d.clear();
  // p2 wrote a candidate to the server (its 2nd), then one on the channel: the channel is faster.
  d.handle(input::SignalChannelMessage{"p2", channel_frame(1, 2, candidate_json(6001))});
  EXPECT_EQ(d.count<output::AddIceCandidate>(), 0u) << "held";
  d.server(msg::Signal{2, "p2", Candidate{"candidate:2 1 udp 1 10.0.0.2 6000 typ host", "0", 0,
                                          std::string("theirs1")}});
  auto adds = d.all<output::AddIceCandidate>();
  ASSERT_EQ(adds.size(), 1u);
  EXPECT_NE(adds[0].candidate->candidate.find("6000"), std::string::npos) << "server's first";
  complete_candidate();
  adds = d.all<output::AddIceCandidate>();
  ASSERT_EQ(adds.size(), 2u);
  EXPECT_NE(adds[1].candidate->candidate.find("6001"), std::string::npos);
  complete_candidate();
  // One whose server predecessor never comes is applied after InBand::kHoldMs.
  d.clear();
  d.handle(input::SignalChannelMessage{"p2", channel_frame(2, 5, candidate_json(6002))});
  EXPECT_EQ(d.count<output::AddIceCandidate>(), 0u);
  d.advance(InBand::kHoldMs - 1);
  EXPECT_EQ(d.count<output::AddIceCandidate>(), 0u);
  d.advance(1);
  EXPECT_EQ(d.count<output::AddIceCandidate>(), 1u);
}

TEST_F(InBandSession, InvalidChannelMessagesAreDroppedWithBadMessageAndTheRouteKeepsWorking) {
  call();
  open_channel();
  d.clear();
  for (const std::string& bad :
       {std::string("not json"), std::string("[1,2]"), std::string("{\"n\":0,\"s\":0,\"signal\":{}}"),
        std::string("{\"n\":1,\"signal\":{\"candidate\":null}}"), std::string("{\"ack\":99}"),
        std::string("{\"ack\":-1}"), channel_frame(1, 1, {{"description", {{"type", "offer"}}}}),
        channel_frame(1, 1, {{"candidate", {{"candidate", "bogus"}}}}),
        std::string(70 * 1024, ' '), std::string(40, '[') + std::string(40, ']')}) {
    d.handle(input::SignalChannelMessage{"p2", bad});
  }
  EXPECT_EQ(d.error_codes(), std::vector<std::string>(10, errc::bad_message));
  EXPECT_EQ(d.count<output::AddIceCandidate>(), 0u);
  EXPECT_EQ(d.count<output::SetRemoteDescription>(), 0u);
  EXPECT_EQ(d.client.state(), SessionState::open);
  d.handle(input::SignalChannelMessage{"p2", channel_frame(1, 1, candidate_json(6000))});
  EXPECT_EQ(d.count<output::AddIceCandidate>(), 1u);
}

TEST_F(InBandSession, SignalsQueuedForTheServerWhileThePathWasDownMoveToTheChannel) {
  call();
  open_channel();
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::disconnected});
  EXPECT_FALSE(d.client.peers().at("p2").in_band) << "the path broke";
  d.handle(input::SocketClosed{1006, "", true});  // and the server is gone too
  d.clear();
  d.handle(input::IceCandidate{"p2", candidate(5004)});
  EXPECT_EQ(d.count<output::SendOnSignalChannel>(), 0u) << "the path is down";
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  auto frames = channel_signals();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0]["signal"]["candidate"]["candidate"], candidate(5004).candidate);
  EXPECT_EQ(frames[0]["s"], 1) << "taken back from the outbox, so not counted as server-route";
  // Nothing is left for the server to send when it returns.
  d.handle(input::SocketOpened{});
  d.clear();
  d.server(resumed_welcome({{"p2", "bob"}}));
  EXPECT_TRUE(to_server().empty());
}

TEST_F(InBandSession, AnIceRestartOnAWorkingConnectionStaysOnTheChannel) {
  call();
  open_channel();
  d.clear();
  d.handle(input::RestartIce{"p2"});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  EXPECT_TRUE(sld->ice_restart);
  const std::string restart = "v=0\r\no=- 1 3 IN IP4 0.0.0.0\r\na=ice-ufrag:ours2\r\n";
  local("offer", restart);
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connecting});  // checking anew
  d.handle(input::IceCandidate{"p2", candidate(5005, "ours2")});
  EXPECT_TRUE(to_server().empty());
  ASSERT_EQ(channel_signals().size(), 2u);
  EXPECT_EQ(channel_signals()[0]["signal"]["description"]["sdp"], marked(restart));
}

TEST(InBandUntilConnected, ADormantSessionRenegotiatesOnTheChannelWithoutWaking) {
  Config c = in_band_config();
  c.signaling = SignalingMode::until_connected;
  ClientDriver d{c};
  d.join_open({{"p2", "bob"}});
  d.handle(input::NegotiationNeeded{"p2"});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", kOffer}});
  d.handle(input::IceCandidate{"p2", std::nullopt});
  d.server(msg::Signal{1, "p2", Description{"answer", marked(kAnswer)}});
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  d.handle(input::OperationDone{"p2", srd->op_id, true, "", std::nullopt});
  d.server(msg::Ack{2});
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  d.handle(input::SignalChannelChanged{"p2", true});
  d.advance(c.park_after_ms + ::rtc_signaling::core::ReliableStream::kAckDelayMs);
  ASSERT_EQ(d.client.state(), SessionState::dormant);
  d.clear();
  // A camera added while dormant: the offer, its candidates and the answer all use the channel.
  d.handle(input::NegotiationNeeded{"p2"});
  sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", kOffer2}});
  d.handle(input::IceCandidate{"p2", std::nullopt});
  EXPECT_EQ(d.count<output::SendOnSignalChannel>(), 2u);
  d.handle(input::SignalChannelMessage{
      "p2", channel_frame(1, 1, {{"description", {{"type", "answer"}, {"sdp", marked(kAnswer)}}}})});
  srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  d.handle(input::OperationDone{"p2", srd->op_id, true, "", std::nullopt});
  d.advance(60'000);
  EXPECT_EQ(d.count<output::OpenSocket>(), 0u) << "never woke";
  EXPECT_EQ(d.client.state(), SessionState::dormant);
  // An ICE restart on the working connection: checking anew is no reason to wake either.
  d.handle(input::RestartIce{"p2"});
  sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  ASSERT_TRUE(sld->ice_restart);
  d.handle(input::OperationDone{"p2", sld->op_id, true, "",
                                Description{"offer", "v=0\r\na=ice-ufrag:ours2\r\n"}});
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::connecting});
  EXPECT_EQ(d.count<output::OpenSocket>(), 0u);
  EXPECT_EQ(d.client.state(), SessionState::dormant);
  // The path breaking is: the restart it needs cannot use the channel.
  d.handle(input::ConnectionStateChanged{"p2", ConnectionState::disconnected});
  EXPECT_EQ(d.count<output::OpenSocket>(), 1u);
  EXPECT_EQ(d.client.state(), SessionState::connecting);
}

} // namespace
} // namespace rtc_signaling::testing

namespace rtc_signaling::testing {
namespace {

/// `peer` calls us through the server (its offer is server seq `seq`); we answer, our answer and
/// end-of-candidates are acknowledged, and the connection comes up.
void answer_call(ClientDriver& d, const PeerId& peer, msg::Seq seq) {
  d.server(msg::Signal{seq, peer, Description{"offer", marked(kRemoteOffer)}});
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  d.handle(input::OperationDone{peer, srd->op_id, true, "", std::nullopt});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.handle(input::OperationDone{peer, sld->op_id, true, "", Description{"answer", kAnswer}});
  d.handle(input::IceCandidate{peer, std::nullopt});
  d.server(msg::Ack{d.client.stats().signals_sent});
  d.handle(input::ConnectionStateChanged{peer, ConnectionState::connected});
}

TEST(InBandUntilConnected, AJoinWhileDormantReopensToMeetNewPeersAndParksAgain) {
  Config c = in_band_config();
  c.signaling = SignalingMode::until_connected;
  ClientDriver d{c};
  d.join_open();  // alone in the room: nothing to settle, so it stays open
  d.advance(10'000);
  EXPECT_EQ(d.client.state(), SessionState::open) << "parks only with peers to keep";
  // Someone joins and calls; once connected and quiet the session parks.
  d.server(msg::PeerJoined{1, {"p2", "bob"}});
  answer_call(d, "p2", 2);
  d.advance(c.park_after_ms + core::ReliableStream::kAckDelayMs);
  ASSERT_EQ(d.client.state(), SessionState::dormant);
  // The app asks to meet whoever arrived meanwhile (JS: reconnectNow()).
  d.clear();
  d.handle(input::Join{});
  ASSERT_EQ(d.count<output::OpenSocket>(), 1u);
  EXPECT_EQ(d.count<output::Reconnecting>(), 0u) << "not an outage";
  d.handle(input::SocketOpened{});
  d.server(resumed_welcome({{"p2", "bob"}, {"p3", "carol"}}));
  EXPECT_EQ(d.client.state(), SessionState::open);
  ASSERT_EQ(d.count<output::PeerJoined>(), 1u);
  EXPECT_EQ(d.last<output::PeerJoined>()->id, "p3");
  EXPECT_EQ(d.count<output::ClosePeerConnection>(), 0u) << "the call with p2 is kept";
  // carol, the newcomer, calls; once that settles too, the session parks again.
  answer_call(d, "p3", 3);
  d.advance(c.park_after_ms + core::ReliableStream::kAckDelayMs);
  EXPECT_EQ(d.client.state(), SessionState::dormant);
}

} // namespace
} // namespace rtc_signaling::testing

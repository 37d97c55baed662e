// Issue 10, client side: every per-peer and per-dialect queue the network feeds is bounded,
// frames are measured as they travel (encoded, and before they are copied in), trailing bytes
// after a JSON value are refused, and resumes present the session secret.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "client_driver.hpp"
#include "dialects/native.hpp"
#include "dialects/signalr.hpp"
#include "negotiation/negotiator.hpp"
#include "validation.hpp"

namespace rtc_signaling::testing {
namespace {

using nlohmann::json;

std::string candidate_frame(const std::string& from, msg::Seq seq, int n) {
  return dialects::native::encode_server(msg::Signal{
      seq, from,
      Candidate{"candidate:" + std::to_string(n) + " 1 udp 1 10.0.0.1 5000 typ host", "0", 0,
                std::nullopt}});
}

std::size_t count_code(const ClientDriver& d, const char* code) {
  std::size_t n = 0;
  for (const auto& c : d.error_codes())
    n += c == code;
  return n;
}

// ---- #9: remote candidates

TEST(Hardening, RemoteCandidatesWaitingForADescriptionAreBounded) {
  Config c = test_config();
  c.limits.max_held_candidates = 200;
  ClientDriver d(c);
  d.join_open({{"p2", "bob"}}); // newcomer: we offer to p2
  d.handle(input::NegotiationNeeded{"p2"});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
  d.clear();
  // 10 000 candidates before p2's answer: only 200 may wait.
  for (int i = 0; i < 10'000; ++i)
    d.frame(candidate_frame("p2", static_cast<msg::Seq>(i + 1), i));
  EXPECT_EQ(count_code(d, errc::bad_message), 1u) << "one error for the episode, not 9 800";
  EXPECT_EQ(d.count<output::AddIceCandidate>(), 0u);
  EXPECT_EQ(d.client.state(), SessionState::open);

  // The answer arrives: exactly the 200 held candidates are applied, in order.
  d.server(msg::Signal{10'001, "p2", Description{"answer", "v=0\r\n"}});
  auto srd = d.last<output::SetRemoteDescription>();
  ASSERT_TRUE(srd);
  d.handle(input::OperationDone{"p2", srd->op_id, true, "", std::nullopt});
  std::vector<std::string> applied;
  while (auto add = d.last<output::AddIceCandidate>()) {
    applied.push_back(add->candidate->candidate);
    d.clear();
    d.handle(input::OperationDone{"p2", add->op_id, true, "", std::nullopt});
  }
  ASSERT_EQ(applied.size(), 200u);
  EXPECT_EQ(applied.front(), "candidate:0 1 udp 1 10.0.0.1 5000 typ host");
  EXPECT_EQ(applied.back(), "candidate:199 1 udp 1 10.0.0.1 5000 typ host");
}

TEST(Hardening, RemoteSignalsWaitingBehindAnOperationAreBounded) {
  negotiation::Negotiator n("p2", true, 5000, 50);
  n.remote_signal(Description{"offer", "v=0\r\n"}); // setRemoteDescription in flight
  std::size_t errors = 0;
  auto drain = [&] {
    while (auto a = n.poll())
      errors += std::holds_alternative<output::Error>(*a);
  };
  drain();
  for (int i = 0; i < 5000; ++i)
    n.remote_signal(Candidate{"candidate:1 1 udp 1 10.0.0.1 5000 typ host", "0", 0, {}});
  for (int i = 0; i < 100; ++i)
    n.remote_signal(Description{"offer", "v=0\r\n"});
  drain();
  EXPECT_EQ(errors, 1u) << "one error for the overflow episode, not one per dropped signal";
}

// ---- #10: oversized frames measured by the embedder

TEST(Hardening, FrameTooLargeFromTheEmbedderIsCountedAndReported) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.handle(input::FrameTooLarge{500u * 1024u * 1024u});
  EXPECT_EQ(d.error_codes(), std::vector<std::string>{errc::message_too_large});
  EXPECT_EQ(d.client.stats().frames_dropped, 1u);
  EXPECT_EQ(d.client.state(), SessionState::open);
  // Like any frame it proves the server alive: no server timeout right after.
  d.advance(d.client.config().server_timeout_ms - 1);
  EXPECT_EQ(d.client.state(), SessionState::open);
}

// ---- #11: SignalR dialect state

TEST(Hardening, SignalrNewcomerFloodIsBoundedAndUnanswered) {
  Config c = test_config();
  c.url = "ws://hub.test/hubs/rtc";
  c.dialect = Dialect::signalr;
  c.signalr.contract = SignalrContract::signalrtc;
  c.limits.max_peers = 8;
  dialects::signalr::SignalR hub(c);
  auto step = hub.begin_attempt(c, std::nullopt);
  ASSERT_TRUE(std::holds_alternative<dialects::Dialect::Request>(step));
  step = hub.on_http_response(
      200, R"({"negotiateVersion":1,"connectionId":"me","connectionToken":"t",)"
           R"("useStatefulReconnect":true,)"
           R"("availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})");
  ASSERT_TRUE(std::holds_alternative<dialects::Dialect::Connect>(step));
  hub.encode_all(msg::Join{c.room, c.name, {}, {}, {}});
  hub.decode_all("{}\x1e");
  hub.take_frames();

  std::size_t hellos = 0, joined = 0, roster_full = 0;
  for (int i = 0; i < 20'000; ++i) {
    json user = {{"userName", "u"}, {"connectionId", "c" + std::to_string(i)}};
    json record = {{"type", 1}, {"target", "NewUserArrived"}, {"arguments", {user.dump()}}};
    for (auto& m : hub.decode_all(record.dump() + '\x1e')) {
      if (auto* e = std::get_if<msg::DecodeError>(&m))
        roster_full += e->code == errc::roster_full;
      else if (std::holds_alternative<msg::PeerJoined>(std::get<msg::ServerMessage>(m)))
        ++joined;
    }
    for (const auto& f : hub.take_frames())
      hellos += f.find("HelloUser") != std::string::npos;
  }
  EXPECT_EQ(joined, 8u);
  EXPECT_EQ(hellos, 8u) << "no HelloUser past the limit";
  EXPECT_EQ(roster_full, 1u);
  EXPECT_LE(hub.unacknowledged(), dialects::signalr::SignalR::kMaxReplay);
}

TEST(Hardening, SignalrReplayBufferIsBoundedAndAnOverflowedOneIsNotResumed) {
  Config c = test_config();
  c.url = "ws://hub.test/hubs/room";
  c.dialect = Dialect::signalr;
  dialects::signalr::SignalR hub(c);
  hub.begin_attempt(c, std::nullopt);
  hub.on_http_response(200, R"({"negotiateVersion":1,"connectionId":"me","connectionToken":"t",)"
                            R"("useStatefulReconnect":true,)"
           R"("availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})");
  hub.encode_all(msg::Join{c.room, c.name, {}, {}, {}});
  hub.decode_all("{}\x1e");
  // The hub never acks: 5000 signals.
  for (int i = 0; i < 5000; ++i)
    hub.encode_all(msg::SignalTo{"p2", 0, EndOfCandidates{}});
  EXPECT_EQ(hub.unacknowledged(), dialects::signalr::SignalR::kMaxReplay);
  // A resume would silently lose the dropped records: negotiate a new connection instead.
  auto step = hub.begin_attempt(c, std::nullopt);
  EXPECT_TRUE(std::holds_alternative<dialects::Dialect::Request>(step));
}

// ---- #12: outgoing limits measured on the encoded frame

TEST(Hardening, OutgoingCandidateIsMeasuredAfterUtf8Replacement) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.handle(input::NegotiationNeeded{"p2"});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
  d.clear();
  // 1000 raw bytes, 20 of them invalid UTF-8: 1040 bytes once each becomes U+FFFD.
  std::string raw = "candidate:1 1 udp 1 10.0.0.1 5000 typ host ";
  raw += std::string(20, '\xFF');
  raw += std::string(1000 - raw.size(), 'x');
  ASSERT_EQ(raw.size(), 1000u);
  d.handle(input::IceCandidate{"p2", Candidate{raw, "0", 0, std::nullopt}});
  EXPECT_EQ(d.error_codes(), std::vector<std::string>{errc::bad_message});
  EXPECT_TRUE(d.sent_of<msg::SignalTo>().empty());

  // Invalid bytes in a candidate that still fits are replaced, and the frame is valid UTF-8.
  d.clear();
  std::string fits = "candidate:2 1 udp 1 10.0.0.1 5000 typ host \xFF";
  d.handle(input::IceCandidate{"p2", Candidate{fits, "0", 0, std::nullopt}});
  EXPECT_TRUE(d.error_codes().empty());
  auto sent = d.sent_of<msg::SignalTo>();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::get<Candidate>(sent[0].payload).candidate,
            "candidate:2 1 udp 1 10.0.0.1 5000 typ host \xEF\xBF\xBD");
}

TEST(Hardening, OutgoingFrameIsMeasuredAfterEscaping) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.handle(input::NegotiationNeeded{"p2"});
  auto sld = d.last<output::SetLocalDescription>();
  ASSERT_TRUE(sld);
  d.clear();
  // 20 KiB of SDP, within the 32 KiB limit, but every \x01 becomes six bytes (\u0001).
  std::string sdp = "v=0\r\na=x:" + std::string(20 * 1024, '\x01') + "\r\n";
  d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", sdp}});
  EXPECT_EQ(count_code(d, errc::message_too_large), 1u);
  EXPECT_TRUE(d.all<output::SendFrame>().empty()) << "nothing the server would refuse is sent";
  // What the client does send always fits its own validator.
  for (const auto& f : d.all<output::SendFrame>())
    EXPECT_LE(f.text.size(), d.client.config().limits.max_frame_bytes);
}

TEST(Hardening, ToValidUtf8ReplacesEachInvalidByte) {
  EXPECT_EQ(validation::to_valid_utf8("ok"), "ok");
  EXPECT_EQ(validation::to_valid_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(validation::to_valid_utf8("\xC3"), "\xEF\xBF\xBD");           // truncated sequence
  EXPECT_EQ(validation::to_valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD"); // overlong
  EXPECT_EQ(validation::to_valid_utf8("\xC3\xA9"), "\xC3\xA9");
  EXPECT_TRUE(validation::valid_utf8(validation::to_valid_utf8("\xED\xA0\x80\xF4\x90\x80\x80")));
}

// ---- #13: trailing bytes

TEST(Hardening, FramesWithANulByteOrTrailingBytesAreRejected) {
  using dialects::native::decode_server;
  const Limits limits;
  const std::string ack = R"({"type":"ack","seq":7})";
  for (const std::string& frame : {ack + std::string("\0garbage", 8), ack + std::string(1, '\0'),
                                   ack + " x", ack + ack, std::string("\0", 1) + ack}) {
    auto decoded = decode_server(frame, limits);
    ASSERT_TRUE(std::holds_alternative<msg::DecodeError>(decoded)) << frame;
    EXPECT_EQ(std::get<msg::DecodeError>(decoded).code, errc::bad_message);
  }
  EXPECT_TRUE(std::holds_alternative<msg::ServerMessage>(decode_server(ack + " \r\n", limits)));

  Config c = test_config();
  c.dialect = Dialect::signalr;
  dialects::signalr::SignalR hub(c);
  auto d = hub.decode(std::string(R"({"type":6})") + std::string("\0junk", 5) + "\x1e");
  EXPECT_TRUE(std::holds_alternative<msg::DecodeError>(d));
}

// ---- #14: codes

TEST(Hardening, RoomFullIsOnlyEverFatal) {
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  d.clear();
  d.server(msg::ServerError{"room-full", "room r1 is full", true});
  ASSERT_EQ(d.count<output::Error>(), 1u);
  EXPECT_EQ(d.all<output::Error>()[0].code, errc::room_full);
  EXPECT_TRUE(d.all<output::Error>()[0].fatal);
  EXPECT_EQ(d.client.state(), SessionState::closed);
}

// ---- resume secret

TEST(Hardening, ResumePresentsTheSessionSecretFromTheFirstWelcome) {
  ClientDriver d;
  d.handle(input::Join{});
  d.handle(input::SocketOpened{});
  msg::Welcome w;
  w.id = "p1";
  w.room = "r1";
  w.resume = "tok-1";
  w.secret = "s3cret";
  d.server(w);
  auto resume_join = [&] {
    d.clear();
    d.handle(input::SocketClosed{1006, "", true});
    d.advance(d.last<output::Reconnecting>()->delay_ms);
    d.handle(input::SocketOpened{});
    auto joins = d.sent_of<msg::Join>();
    EXPECT_EQ(joins.size(), 1u);
    return joins.empty() ? msg::Join{} : joins[0];
  };
  auto first = resume_join();
  EXPECT_EQ(first.resume, "tok-1");
  EXPECT_EQ(first.secret, "s3cret");
  // A resumed welcome carries a new token but no secret: the one we have still goes with it.
  msg::Welcome resumed = w;
  resumed.resume = "tok-2";
  resumed.secret.reset();
  resumed.resumed = true;
  d.server(resumed);
  auto second = resume_join();
  EXPECT_EQ(second.resume, "tok-2");
  EXPECT_EQ(second.secret, "s3cret");
  // A fresh session (resume refused) brings its own secret.
  msg::Welcome fresh = w;
  fresh.id = "p9";
  fresh.resume = "tok-3";
  fresh.secret = "other";
  d.server(fresh);
  auto third = resume_join();
  EXPECT_EQ(third.resume, "tok-3");
  EXPECT_EQ(third.secret, "other");
}

} // namespace
} // namespace rtc_signaling::testing

// Every limit of docs/ARCHITECTURE.md#validation-and-limits, exercised through a live Client: at the limit passes, past it the
// frame is dropped with the documented error and the session stays open. Limits are configurable,
// so each table also runs against a non-default value.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "client_driver.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling {
namespace {

using nlohmann::json;
using testing::ClientDriver;
using testing::test_config;

struct FrameCase {
  std::string name;
  std::string frame;
  std::optional<std::string> error; // nullopt = accepted
};

/// Feeds each frame to a fresh open client that has peer p2 in its roster.
void run_cases(const Config& config, const std::vector<FrameCase>& cases) {
  for (const auto& c : cases) {
    ClientDriver d(config);
    d.join_open({{"p2", "bob"}});
    d.clear();
    d.frame(c.frame);
    EXPECT_EQ(d.client.state(), SessionState::open) << c.name;
    if (!c.error) {
      EXPECT_EQ(d.error_codes(), std::vector<std::string>{}) << c.name;
      EXPECT_EQ(d.client.stats().frames_dropped, 0u) << c.name;
    } else {
      EXPECT_EQ(d.error_codes(), std::vector<std::string>{*c.error}) << c.name;
      EXPECT_EQ(d.client.stats().frames_dropped, 1u) << c.name;
      EXPECT_FALSE(d.last<output::Error>()->fatal) << c.name;
    }
  }
}

std::string signal_frame(const json& data) {
  return json{{"type", "signal"}, {"seq", 1}, {"from", "p2"}, {"data", data}}.dump();
}

std::string sdp_of_size(std::size_t n) {
  std::string sdp = "v=0\r\ns=";
  sdp += std::string(n - sdp.size() - 2, 'x');
  sdp += "\r\n";
  return sdp;
}

std::string description_frame(const std::string& sdp) {
  return signal_frame({{"description", {{"type", "offer"}, {"sdp", sdp}}}});
}

std::string candidate_frame(const std::string& cand) {
  return signal_frame({{"candidate", {{"candidate", cand}, {"sdpMid", "0"}}}});
}

std::string peer_joined_frame(const std::string& id, const std::string& name) {
  return json{{"type", "peer-joined"}, {"seq", 1}, {"peer", {{"id", id}, {"name", name}}}}.dump();
}

TEST(Limits, IncomingFrameSize) {
  for (std::uint32_t limit : {64u * 1024u, 300u}) {
    auto c = test_config();
    c.limits.max_frame_bytes = limit;
    const std::string base = R"({"type":"pong","pad":""})";
    auto padded = [&](std::size_t total) {
      return R"({"type":"pong","pad":")" + std::string(total - base.size(), 'x') + "\"}";
    };
    run_cases(c, {
                     {"at limit", padded(limit), std::nullopt},
                     {"one byte over", padded(limit + 1), std::string(errc::message_too_large)},
                     {"far over", padded(limit * 4), std::string(errc::message_too_large)},
                 });
  }
}

TEST(Limits, JsonDepth) {
  for (std::uint32_t limit : {16u, 4u}) {
    auto c = test_config();
    c.limits.max_json_depth = limit;
    auto nested = [](std::uint32_t depth) { // the outer object counts as depth 1
      const std::string inner = std::string(depth - 1, '[') + "1" + std::string(depth - 1, ']');
      return R"({"type":"pong","x":)" + inner + "}";
    };
    run_cases(c, {
                     {"at limit", nested(limit), std::nullopt},
                     {"one over", nested(limit + 1), std::string(errc::bad_message)},
                     {"very deep", nested(30'000), std::string(errc::bad_message)},
                     {"brackets inside strings do not count",
                      R"({"type":"pong","x":")" + std::string(1000, '[') + "\"}", std::nullopt},
                 });
  }
}

TEST(Limits, Sdp) {
  for (std::uint32_t limit : {32u * 1024u, 200u}) {
    auto c = test_config();
    c.limits.max_sdp_bytes = limit;
    c.limits.max_frame_bytes = 1024 * 1024;
    const auto bad = std::string(errc::bad_message);
    run_cases(
        c, {
               {"at limit", description_frame(sdp_of_size(limit)), std::nullopt},
               {"one over", description_frame(sdp_of_size(limit + 1)), bad},
               {"LF lines", description_frame("v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\n"), std::nullopt},
               {"no trailing newline", description_frame("v=0\r\ns=-"), std::nullopt},
               {"not starting with v=0", description_frame("o=- 1\r\nv=0\r\n"), bad},
               {"v=1", description_frame("v=1\r\n"), bad},
               {"line without =", description_frame("v=0\r\nhello\r\n"), bad},
               {"upper-case key", description_frame("v=0\r\nS=-\r\n"), bad},
               {"empty line inside", description_frame("v=0\r\n\r\ns=-\r\n"), bad},
               {"bare CR inside a line", description_frame("v=0\r\ns=a\rb\r\n"), bad},
               {"empty", description_frame(""), bad},
           });
  }
}

TEST(Limits, IceCandidate) {
  for (std::uint32_t limit : {1024u, 64u}) {
    auto c = test_config();
    c.limits.max_candidate_bytes = limit;
    const auto bad = std::string(errc::bad_message);
    auto cand = [](std::size_t n) { return "candidate:" + std::string(n - 10, '1'); };
    run_cases(
        c, {
               {"at limit", candidate_frame(cand(limit)), std::nullopt},
               {"one over", candidate_frame(cand(limit + 1)), bad},
               {"empty = end of generation", candidate_frame(""), std::nullopt},
               {"null = end of candidates", signal_frame({{"candidate", nullptr}}), std::nullopt},
               {"wrong prefix", candidate_frame("candidat:1 1 udp"), bad},
               {"prefix not at start", candidate_frame(" candidate:1"), bad},
           });
  }
}

TEST(Limits, PeerId) {
  const auto bad = std::string(errc::bad_message);
  run_cases(test_config(),
            {
                {"1 char", peer_joined_frame("a", "x"), std::nullopt},
                {"64 chars", peer_joined_frame(std::string(64, 'a'), "x"), std::nullopt},
                {"all allowed punctuation", peer_joined_frame("A.b_c:d-9", "x"), std::nullopt},
                {"empty", peer_joined_frame("", "x"), bad},
                {"65 chars", peer_joined_frame(std::string(65, 'a'), "x"), bad},
                {"space", peer_joined_frame("a b", "x"), bad},
                {"slash", peer_joined_frame("a/b", "x"), bad},
                {"non-ascii", peer_joined_frame("\xC3\xA9", "x"), bad},
                {"signal from bad id",
                 R"({"type":"signal","seq":1,"from":"a b","data":{"candidate":null}})", bad},
            });
}

TEST(Limits, DisplayNameRejectedOnReceive) {
  for (std::uint32_t limit : {64u, 5u}) {
    auto c = test_config();
    c.limits.max_name_bytes = limit;
    const auto bad = std::string(errc::bad_message);
    // Multi-byte characters count by bytes, not characters.
    std::string at_limit_utf8;
    while (at_limit_utf8.size() + 2 <= limit)
      at_limit_utf8 += "\xC3\xA9";
    if (at_limit_utf8.size() < limit)
      at_limit_utf8 += "a";
    run_cases(c,
              {
                  {"at limit", peer_joined_frame("p3", std::string(limit, 'n')), std::nullopt},
                  {"at limit, multi-byte", peer_joined_frame("p3", at_limit_utf8), std::nullopt},
                  {"one byte over", peer_joined_frame("p3", std::string(limit + 1, 'n')), bad},
                  {"over by multi-byte", peer_joined_frame("p3", at_limit_utf8 + "\xC3\xA9"), bad},
                  {"empty", peer_joined_frame("p3", ""), std::nullopt},
              });
  }
}

TEST(Limits, DisplayNameTruncatedOnSend) {
  struct Case {
    std::string name;
    std::uint32_t limit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"alice", 64, "alice"},
      {std::string(65, 'a'), 64, std::string(64, 'a')},
      {"\xE2\x82\xAC\xE2\x82\xAC", 4, "\xE2\x82\xAC"}, // "€€": cut inside the second €
      {"ab\xF0\x9F\x98\x80", 5, "ab"},                 // 4-byte emoji does not fit
      {"ab\xF0\x9F\x98\x80", 6, "ab\xF0\x9F\x98\x80"},
  };
  for (const auto& c : cases) {
    auto config = test_config();
    config.name = c.name;
    config.limits.max_name_bytes = c.limit;
    ClientDriver d(config);
    d.handle(input::Join{});
    d.handle(input::SocketOpened{});
    auto joins = d.sent_of<msg::Join>();
    ASSERT_EQ(joins.size(), 1u);
    EXPECT_EQ(joins[0].name, c.expected) << c.name;
  }
}

// Issue 10 #14: a peer beyond max_peers is `roster-full` (non-fatal, the peer is ignored), never
// the fatal `room-full` the server uses to refuse us; one error per episode, not one per peer.
TEST(Limits, PeersInRosterBeyondTheLimitAreIgnoredWithOneRosterFullError) {
  for (std::uint32_t limit : {32u, 3u}) {
    auto c = test_config();
    c.limits.max_peers = limit;
    ClientDriver d(c);
    std::vector<msg::PeerEntry> peers;
    for (std::uint32_t i = 0; i < limit + 2; ++i)
      peers.push_back({"q" + std::to_string(i), ""});
    d.join_open(peers);
    EXPECT_EQ(d.client.peers().size(), limit);
    EXPECT_EQ(d.count<output::PeerJoined>(), limit);
    ASSERT_EQ(d.count<output::Error>(), 1u);
    EXPECT_EQ(d.all<output::Error>()[0].code, errc::roster_full);
    EXPECT_FALSE(d.all<output::Error>()[0].fatal);
    d.clear();
    auto joined = [](const std::string& id, int seq) {
      return json{{"type", "peer-joined"}, {"seq", seq}, {"peer", {{"id", id}, {"name", ""}}}}
          .dump();
    };
    d.frame(joined("late", 1));
    d.frame(joined("later", 2));
    EXPECT_TRUE(d.error_codes().empty()) << "same episode: already reported";
    EXPECT_EQ(d.client.peers().size(), limit);
    EXPECT_EQ(d.client.state(), SessionState::open);
    // Room again, then full again: a new episode is reported again.
    d.frame(R"({"type":"peer-left","seq":3,"id":"q0","reason":"left"})");
    d.frame(joined("x1", 4));
    EXPECT_TRUE(d.error_codes().empty());
    d.frame(joined("x2", 5));
    EXPECT_EQ(d.error_codes(), std::vector<std::string>{errc::roster_full});
    EXPECT_EQ(d.client.peers().size(), limit);
    EXPECT_TRUE(d.client.peers().count("x1"));
    EXPECT_FALSE(d.client.peers().count("x2"));
  }
}

TEST(Limits, OutboxDropsOldestCandidateNeverDescriptions) {
  for (std::uint32_t limit : {256u, 4u}) {
    auto c = test_config();
    c.limits.outbox_frames = limit;
    ClientDriver d(c);
    d.join_open({{"p2", "bob"}});
    d.handle(input::SocketClosed{1006, "", true}); // signals now wait in the outbox
    d.clear();
    // One description first (the negotiator emits it for NegotiationNeeded once the local
    // description is set), then candidates until the outbox overflows.
    d.handle(input::NegotiationNeeded{"p2"});
    auto sld = d.last<output::SetLocalDescription>();
    ASSERT_TRUE(sld);
    d.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
    for (std::uint32_t i = 0; i < limit + 3; ++i) {
      d.handle(input::IceCandidate{
          "p2", Candidate{"candidate:" + std::to_string(i), "0", 0, std::nullopt}});
    }
    EXPECT_EQ(d.error_codes(), std::vector<std::string>(4, errc::outbox_full)) << limit;
    // Reconnect: what survived is the description plus the newest candidates, in order.
    d.advance(d.last<output::Reconnecting>()->delay_ms);
    d.handle(input::SocketOpened{});
    d.server(msg::Welcome{"p1", "r1", "tok", true, 0, {{"p2", "bob"}}});
    auto sent = d.sent_of<msg::SignalTo>();
    ASSERT_EQ(sent.size(), limit);
    EXPECT_TRUE(std::holds_alternative<Description>(sent[0].payload));
    EXPECT_EQ(std::get<Candidate>(sent[1].payload).candidate, "candidate:" + std::to_string(4));
    EXPECT_EQ(std::get<Candidate>(sent.back().payload).candidate,
              "candidate:" + std::to_string(limit + 2));
  }
}

} // namespace
} // namespace rtc_signaling

// describe(): the debug log line of each command, and never a secret in one.
#include <gtest/gtest.h>

#include "rtc_signaling/describe.hpp"

namespace rtc_signaling::testing {
namespace {

TEST(Describe, CommandsReadAsWhatTheEmbedderDoes) {
  EXPECT_EQ(describe(output::CreatePeerConnection{"p2", true}), "create peer connection to p2 (polite)");
  EXPECT_EQ(describe(output::SetLocalDescription{"p2", 1, "offer", true}), "p2: set local description (offer, ICE restart)");
  EXPECT_EQ(describe(output::SetRemoteDescription{"p2", 2, Description{"answer", "v=0\r\n"}}),
            "p2: set remote description (answer, 5 bytes)");
  EXPECT_EQ(describe(output::AddIceCandidate{"p2", 3, std::nullopt}), "p2: end of remote candidates");
  EXPECT_EQ(describe(output::CloseSocket{4000, "server timeout"}), "close socket 4000 (server timeout)");
  EXPECT_FALSE(describe(output::StateChanged{SessionState::open})) << "events are logged as events";
  EXPECT_FALSE(describe(output::Error{"bad-message", "x", false}));
}

TEST(Describe, TokensAndContentNeverAppear) {
  const std::string secret = "s3cret-token";
  for (const Output& o : std::vector<Output>{
           output::OpenSocket{"wss://h/signal?room=r&access_token=" + secret},
           output::HttpRequest{1, "POST", "https://h/hub/negotiate?access_token=" + secret, {{"Authorization", "Bearer " + secret}}, ""},
           output::SendFrame{R"({"type":"join","token":")" + secret + R"("})"},
           output::SetRemoteDescription{"p", 1, Description{"offer", "a=" + secret}},
           output::AddIceCandidate{"p", 2, Candidate{"candidate:" + secret, "0", 0, secret}}}) {
    auto line = describe(o);
    ASSERT_TRUE(line);
    EXPECT_EQ(line->find(secret), std::string::npos) << *line;
  }
  EXPECT_EQ(describe(output::OpenSocket{"wss://h/signal?access_token=" + secret}), "open socket wss://h/signal");
}

} // namespace
} // namespace rtc_signaling::testing

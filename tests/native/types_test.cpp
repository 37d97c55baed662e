// Enum strings match the browser's (the wasm layer passes them through unchanged).
#include <gtest/gtest.h>

#include "rtc_signaling/types.hpp"

namespace rtc_signaling {
namespace {

TEST(Types, SignalingStatesRoundTripBrowserStrings) {
  const std::vector<std::pair<SignalingState, std::string>> table = {
      {SignalingState::stable, "stable"},
      {SignalingState::have_local_offer, "have-local-offer"},
      {SignalingState::have_remote_offer, "have-remote-offer"},
      {SignalingState::have_local_pranswer, "have-local-pranswer"},
      {SignalingState::have_remote_pranswer, "have-remote-pranswer"},
      {SignalingState::closed, "closed"},
  };
  for (const auto& [state, text] : table) {
    EXPECT_EQ(to_string(state), text);
    EXPECT_EQ(signaling_state_from_string(text), state);
  }
  EXPECT_FALSE(signaling_state_from_string("have_local_offer"));
  EXPECT_FALSE(signaling_state_from_string(""));
}

TEST(Types, ConnectionStatesRoundTripBrowserStrings) {
  const std::vector<std::pair<ConnectionState, std::string>> table = {
      {ConnectionState::new_, "new"},
      {ConnectionState::connecting, "connecting"},
      {ConnectionState::connected, "connected"},
      {ConnectionState::disconnected, "disconnected"},
      {ConnectionState::failed, "failed"},
      {ConnectionState::closed, "closed"},
  };
  for (const auto& [state, text] : table) {
    EXPECT_EQ(to_string(state), text);
    EXPECT_EQ(connection_state_from_string(text), state);
  }
  EXPECT_FALSE(connection_state_from_string("new_"));
}

TEST(Types, SessionStatesHaveJsNames) {
  EXPECT_STREQ(to_string(SessionState::idle), "idle");
  EXPECT_STREQ(to_string(SessionState::connecting), "connecting");
  EXPECT_STREQ(to_string(SessionState::joining), "joining");
  EXPECT_STREQ(to_string(SessionState::open), "open");
  EXPECT_STREQ(to_string(SessionState::reconnecting), "reconnecting");
  EXPECT_STREQ(to_string(SessionState::closed), "closed");
}

} // namespace
} // namespace rtc_signaling

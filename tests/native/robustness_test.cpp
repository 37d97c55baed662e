// Nothing the network sends can crash the core or make it throw (docs/ARCHITECTURE.md#the-cores-contract): random bytes,
// truncated frames and mutated valid frames all end as dropped frames or ignored input.
#include <gtest/gtest.h>

#include "client_driver.hpp"
#include "dialects/native.hpp"
#include "random.hpp"

namespace rtc_signaling {
namespace {

using testing::ClientDriver;

std::vector<std::string> valid_frames() {
  using namespace dialects::native;
  return {
      encode_server(msg::Welcome{"p1", "r1", "tok", true, 3, {{"p2", "bob"}, {"p3", "c"}}}),
      encode_server(msg::PeerJoined{1, {"p4", "dan"}}),
      encode_server(msg::PeerLeft{2, "p3", "left"}),
      encode_server(testing::offer_from("p2", 3)),
      encode_server(testing::candidate_from("p2", 4)),
      encode_server(msg::Signal{5, "p2", EndOfCandidates{}}),
      encode_server(msg::Ack{2}),
      encode_server(msg::Pong{}),
      encode_server(msg::ServerError{"rate-limited", "x", false}),
  };
}

TEST(Robustness, RandomBytesNeverThrowAndKeepSessionOpen) {
  core::Random rng(1234);
  ClientDriver d;
  d.join_open({{"p2", "bob"}});
  for (int i = 0; i < 3'000; ++i) {
    std::string junk(rng.uniform_inclusive(200), '\0');
    for (auto& c : junk)
      c = static_cast<char>(rng.next() & 0xFF);
    ASSERT_NO_THROW(d.frame(junk));
    d.clear();
  }
  EXPECT_EQ(d.client.state(), SessionState::open);
}

TEST(Robustness, EveryTruncationOfValidFramesIsHandled) {
  for (const auto& frame : valid_frames()) {
    ClientDriver d;
    d.join_open({{"p2", "bob"}, {"p3", "c"}});
    for (std::size_t n = 0; n < frame.size(); ++n) {
      ASSERT_NO_THROW(d.frame(frame.substr(0, n)));
    }
    EXPECT_EQ(d.client.state(), SessionState::open);
    // Every truncation is invalid JSON, so each one was dropped with an error.
    EXPECT_EQ(d.client.stats().frames_dropped, frame.size());
  }
}

TEST(Robustness, MutatedValidFramesNeverThrow) {
  core::Random rng(99);
  const auto frames = valid_frames();
  ClientDriver d;
  d.join_open({{"p2", "bob"}, {"p3", "c"}});
  const char alphabet[] = "{}[]\":,0123456789-ntfrue\\ ";
  for (int i = 0; i < 5'000; ++i) {
    std::string f = frames[rng.uniform_inclusive(frames.size() - 1)];
    const auto edits = 1 + rng.uniform_inclusive(3);
    for (std::uint64_t e = 0; e < edits && !f.empty(); ++e) {
      f[rng.uniform_inclusive(f.size() - 1)] =
          alphabet[rng.uniform_inclusive(sizeof(alphabet) - 2)];
    }
    ASSERT_NO_THROW(d.frame(f)) << f;
  }
  // The session may legitimately have moved on (a mutated fatal error frame), but never crashed.
  EXPECT_NE(d.client.state(), SessionState::idle);
}

TEST(Robustness, InputsInEveryStateNeverThrow) {
  const std::vector<Input> inputs = {
      input::Join{},
      input::SocketOpened{},
      input::FrameReceived{"{\"type\":\"welcome\",\"id\":\"p1\",\"room\":\"r1\"}"},
      input::SocketClosed{1006, "", false},
      input::SocketClosed{1006, "", true},
      input::HttpResponse{1, 401, ""},
      input::HttpResponse{2, 500, ""},
      input::TokenProvided{"t", ""},
      input::NetworkOffline{},
      input::NetworkOnline{},
      input::NegotiationNeeded{"p2"},
      input::IceCandidate{"p2", std::nullopt},
      input::ConnectionStateChanged{"p2", ConnectionState::failed},
      input::OperationDone{"p2", 77, false, "boom", std::nullopt},
      input::RestartIce{"p2"},
      input::Leave{},
  };
  core::Random rng(5);
  for (int run = 0; run < 300; ++run) {
    ClientDriver d;
    for (int step = 0; step < 40; ++step) {
      ASSERT_NO_THROW(d.handle(inputs[rng.uniform_inclusive(inputs.size() - 1)]));
      d.advance(static_cast<TimeMs>(rng.uniform_inclusive(3'000)));
    }
  }
}

} // namespace
} // namespace rtc_signaling

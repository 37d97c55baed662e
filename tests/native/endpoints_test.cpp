// Several endpoints (Config::fallback_urls; README "Running several servers" in issue 18's terms):
// the order attempts go through them, on the virtual clock.
#include <gtest/gtest.h>

#include "client_driver.hpp"
#include "rtc_signaling/error.hpp"

namespace rtc_signaling::testing {
namespace {

Config two_endpoints() {
  Config c = test_config();
  c.connect_timeout_ms = 600'000; // these tests count attempts, not the time to the first join
  c.url = "ws://a.test/signal";
  c.fallback_urls = {"ws://b.test/signal", "ws://c.test/signal"};
  return c;
}

/// The host the last OpenSocket went to.
std::string host_of_last_socket(const ClientDriver& d) {
  auto open = d.last<output::OpenSocket>();
  if (!open)
    return "";
  const auto from = open->url.find("://") + 3;
  return open->url.substr(from, open->url.find('/', from) - from);
}

/// The socket of the current attempt closes before opening and its probe finds nobody.
void refused(ClientDriver& d) {
  d.handle(input::SocketClosed{1006, "", false});
  auto probe = d.last<output::HttpRequest>();
  ASSERT_TRUE(probe);
  d.handle(input::HttpResponse{probe->id, 0, ""});
}

/// Advances until the next attempt opens a socket (its backoff delay); returns its host.
std::string next_attempt(ClientDriver& d) {
  d.clear();
  for (int ms = 0; ms < 60'000 && d.count<output::OpenSocket>() == 0; ms += 10)
    d.advance(10);
  return host_of_last_socket(d);
}

TEST(Endpoints, AnAttemptThatFailsBeforeOpeningMovesOnInListOrderAndWrapsAround) {
  ClientDriver d{two_endpoints()};
  d.handle(input::Join{});
  EXPECT_EQ(host_of_last_socket(d), "a.test");
  refused(d);
  auto probe = d.last<output::HttpRequest>();
  EXPECT_NE(probe->url.find("a.test"), std::string::npos) << "the probe asks the endpoint that failed";
  EXPECT_EQ(next_attempt(d), "b.test");
  refused(d);
  EXPECT_EQ(next_attempt(d), "c.test");
  refused(d);
  // The backoff is the one of a single endpoint: every failure counted one attempt.
  auto reconnecting = d.last<output::Reconnecting>();
  ASSERT_TRUE(reconnecting);
  EXPECT_EQ(reconnecting->attempt, 3u) << "three failures, the third reconnect attempt";
  EXPECT_EQ(next_attempt(d), "a.test") << "wraps around";
}

TEST(Endpoints, ASessionThatWasOpenRetriesItsEndpointFirstThenFailsOver) {
  ClientDriver d{two_endpoints()};
  d.handle(input::Join{});
  refused(d);
  EXPECT_EQ(next_attempt(d), "b.test");
  d.handle(input::SocketOpened{});
  msg::Welcome w;
  w.id = "p1";
  w.room = "r1";
  w.resume = "tok-1";
  d.server(w);
  ASSERT_EQ(d.client.state(), SessionState::open);
  // b drops the socket: b first (it was working), then c.
  d.handle(input::SocketClosed{1006, "", true});
  EXPECT_EQ(next_attempt(d), "b.test");
  refused(d);
  EXPECT_EQ(next_attempt(d), "c.test");
  // c takes the resume: same id, open again.
  d.handle(input::SocketOpened{});
  auto join = d.sent_of<msg::Join>();
  ASSERT_EQ(join.size(), 1u);
  EXPECT_EQ(join[0].resume, std::optional<std::string>("tok-1")) << "the resume goes to whichever endpoint";
  w.resumed = true;
  d.server(w);
  EXPECT_EQ(d.client.state(), SessionState::open);
  EXPECT_EQ(d.client.self_id(), "p1");
}

TEST(Endpoints, SignalrNegotiatesWithTheEndpointOfEachAttempt) {
  Config c = two_endpoints();
  c.dialect = Dialect::signalr;
  c.url = "ws://a.test/hubs/room";
  c.fallback_urls = {"ws://b.test/hubs/room"};
  ClientDriver d{c};
  d.handle(input::Join{});
  auto negotiate = d.last<output::HttpRequest>();
  ASSERT_TRUE(negotiate);
  EXPECT_EQ(negotiate->url.rfind("http://a.test/hubs/room/negotiate", 0), 0u) << negotiate->url;
  d.handle(input::HttpResponse{negotiate->id, 0, ""}); // a.test is down
  d.clear();
  for (int ms = 0; ms < 60'000 && d.count<output::HttpRequest>() == 0; ms += 10)
    d.advance(10);
  negotiate = d.last<output::HttpRequest>();
  ASSERT_TRUE(negotiate);
  EXPECT_EQ(negotiate->url.rfind("http://b.test/hubs/room/negotiate", 0), 0u)
      << "the next attempt negotiates with the next endpoint: " << negotiate->url;
}

TEST(Endpoints, EveryEndpointMustBeAWebSocketUrl) {
  Config c = two_endpoints();
  c.fallback_urls.push_back("http://d.test/signal");
  ClientDriver d{c};
  d.handle(input::Join{});
  auto e = d.last<output::Error>();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, errc::invalid_config);
  EXPECT_TRUE(e->fatal);
  EXPECT_EQ(d.count<output::OpenSocket>(), 0u);
}

} // namespace
} // namespace rtc_signaling::testing

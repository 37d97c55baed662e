// Pure checks behind §3.4 and the endpoint URLs.
#include <gtest/gtest.h>

#include "url.hpp"
#include "validation.hpp"

namespace rtc_signaling {
namespace {

TEST(Validation, Utf8AcceptsWellFormedAndRejectsMalformed) {
  EXPECT_TRUE(validation::valid_utf8(""));
  EXPECT_TRUE(validation::valid_utf8("plain"));
  EXPECT_TRUE(validation::valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_FALSE(validation::valid_utf8("\xFF"));
  EXPECT_FALSE(validation::valid_utf8("\xC3"));             // truncated
  EXPECT_FALSE(validation::valid_utf8("\xC0\xAF"));         // overlong '/'
  EXPECT_FALSE(validation::valid_utf8("\xED\xA0\x80"));     // surrogate
  EXPECT_FALSE(validation::valid_utf8("\xF4\x90\x80\x80")); // > U+10FFFF
}

TEST(Validation, DepthScanIgnoresBracketsInStringsAndEscapes) {
  EXPECT_TRUE(validation::json_depth_within(R"({"a":"[[[[\"[[["})", 1));
  EXPECT_FALSE(validation::json_depth_within(R"({"a":[1]})", 1));
  EXPECT_TRUE(validation::json_depth_within(R"({"a":[1]})", 2));
  EXPECT_TRUE(validation::json_depth_within(R"({"a":"\\"}")", 1));
}

TEST(Urls, QueryParametersArePercentEncoded) {
  EXPECT_EQ(url::with_query("ws://h/s", {{"room", "a b&c"}}), "ws://h/s?room=a%20b%26c");
  EXPECT_EQ(url::with_query("ws://h/s?x=1", {{"room", "r"}}), "ws://h/s?x=1&room=r");
  EXPECT_EQ(url::with_query("ws://h/s#frag", {{"room", "r"}}), "ws://h/s?room=r");
  EXPECT_EQ(url::percent_encode("\xC3\xA9~._-"), "%C3%A9~._-");
}

TEST(Urls, ProbeUrlSwitchesSchemeOnly) {
  EXPECT_EQ(url::to_http("ws://h:8080/signal?room=r"), "http://h:8080/signal?room=r");
  EXPECT_EQ(url::to_http("wss://h/signal"), "https://h/signal");
  EXPECT_TRUE(url::is_websocket_url("wss://h/signal"));
  EXPECT_FALSE(url::is_websocket_url("ws://"));
  EXPECT_FALSE(url::is_websocket_url("http://h/signal"));
}

} // namespace
} // namespace rtc_signaling

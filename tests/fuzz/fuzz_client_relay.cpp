// Arbitrary frames to a Client on a tutorial relay (the relay dialect), with two peers known by
// presence and a negotiation under way. "$SELF" in a frame becomes the client's own id, so seeds
// can address it. No crash, no leak, and every frame sent is one the relay forwards (a JSON
// object of type offer, answer or candidate with only the fields it keeps).
#include <string>

#include "fuzz_support.hpp"

using namespace rtc_signaling;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Config c = fuzz::small_config("ws://fuzz.test:8080");
  c.dialect = Dialect::relay;
  c.ping_interval_ms = 5'000;
  fuzz::Harness h(c);
  h.handle(input::Join{});
  h.handle(input::SocketOpened{});
  const std::string self = h.client().self_id();
  h.handle(input::FrameReceived{fuzz::substitute(
      R"({"type":"candidate","candidate":{"rtcSignaling":{"v":1,"kind":"hello","room":"r1","name":"b"}},"from":"rs-b","to":"*"})", "$SELF", self)});
  h.handle(input::FrameReceived{fuzz::substitute(
      R"({"type":"candidate","candidate":{"rtcSignaling":{"v":1,"kind":"here","room":"r1","name":"c"}},"from":"rs-c","to":"$SELF"})", "$SELF", self)});
  h.complete_operations();
  for (auto frame : fuzz::frames(data, size)) {
    h.handle(input::FrameReceived{fuzz::substitute(std::string(frame), "$SELF", self)});
    h.complete_operations();
    h.advance(1'000);
  }
  h.handle(input::SocketClosed{1006, "", true});
  h.advance(60'000);
  h.handle(input::Leave{});
  return 0;
}

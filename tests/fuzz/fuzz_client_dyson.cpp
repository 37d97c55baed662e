// Arbitrary packets to a Client in a DysonNetwork-style chat room (the dyson dialect), welcomed
// as account "acc-a", with two peers known by presence and a negotiation under way. "$DEV" in a
// packet becomes the client's device id, so seeds can address it. No crash, no leak, and every
// frame sent is one the server relays (a webrtc.signal envelope whose data is an object: anything
// else makes it close the socket).
#include <string>

#include "fuzz_support.hpp"

using namespace rtc_signaling;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Config c = fuzz::small_config("ws://fuzz.test/api/chat/realtime");
  c.dialect = Dialect::dyson;
  c.room = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
  c.ping_interval_ms = 5'000;
  fuzz::Harness h(c);
  h.handle(input::Join{});
  h.handle(input::SocketOpened{});
  h.handle(input::FrameReceived{R"({"type":"webrtc","data":{"user_id":"acc-a","participants":[]}})"});
  const std::string self = h.client().self_id();
  const std::string device = self.substr(self.rfind(':') + 1);
  h.handle(input::FrameReceived{fuzz::substitute(
      R"({"type":"webrtc.signal","data":{"type":"rtc-signaling.presence","data":{"kind":"hello","rtcSignaling":1,"device":"b1"},"to":null,"account_id":"acc-b","account":{"nick":"b"}}})", "$DEV", device)});
  h.handle(input::FrameReceived{fuzz::substitute(
      R"({"type":"webrtc.signal","data":{"type":"rtc-signaling.presence","data":{"kind":"here","rtcSignaling":1,"device":"c1","toDevice":"$DEV"},"to":"acc-a","account_id":"acc-c","account":{"name":"c"}}})", "$DEV", device)});
  h.complete_operations();
  for (auto frame : fuzz::frames(data, size)) {
    h.handle(input::FrameReceived{fuzz::substitute(std::string(frame), "$DEV", device)});
    h.complete_operations();
    h.advance(1'000);
  }
  h.handle(input::SocketClosed{1006, "", true});
  h.advance(60'000);
  h.handle(input::Leave{});
  return 0;
}

// Arbitrary frames to a Client joined through the native dialect, with two peers in the room and
// a negotiation under way, so signals reach the negotiators. No crash, no leak, no frame sent that
// the client's own validator would reject.
#include "fuzz_support.hpp"

using namespace rtc_signaling;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Harness h(fuzz::small_config("ws://fuzz.test/signal"));
  h.handle(input::Join{});
  h.handle(input::SocketOpened{});
  h.handle(input::FrameReceived{
      R"({"type":"welcome","id":"p1","room":"r1","resume":"t","secret":"s","resumed":false,)"
      R"("peers":[{"id":"p2","name":"b"},{"id":"p0","name":"z"}]})"});
  h.handle(input::NegotiationNeeded{"p2"});
  if (const auto* sld = h.find<output::SetLocalDescription>())
    h.handle(input::OperationDone{"p2", sld->op_id, true, "", Description{"offer", "v=0\r\n"}});
  for (auto frame : fuzz::frames(data, size)) {
    h.handle(input::FrameReceived{std::string(frame)});
    h.complete_operations();
    h.advance(250);
  }
  h.handle(input::FrameTooLarge{1u << 30});
  h.handle(input::SocketClosed{1006, "", true});
  h.advance(60'000);
  return 0;
}

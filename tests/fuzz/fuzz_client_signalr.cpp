// Arbitrary frames to a Client on a SignalR hub, for every contract (the first byte picks room,
// signalrtc, ekobit or snaprtc in either role, and whether signaling is until-connected), after negotiate (stateful reconnect on) and the handshake. Records may
// be split across frames or coalesced; the harness checks nothing leaks or crashes and nothing
// sent exceeds the frame limit.
#include "fuzz_support.hpp"

using namespace rtc_signaling;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  Config c = fuzz::small_config("ws://fuzz.test/hubs/h");
  c.dialect = Dialect::signalr;
  c.signalr.contract = static_cast<SignalrContract>(data[0] % 4);
  if (c.signalr.contract == SignalrContract::snaprtc)
    c.signalr.role = (data[0] & 0x10) != 0 ? SignalrRole::capture : SignalrRole::initiator;
  if ((data[0] & 0x20) != 0)
    c.signaling = SignalingMode::until_connected;
  fuzz::Harness h(c);
  h.handle(input::Join{});
  if (const auto* negotiate = h.find<output::HttpRequest>()) {
    h.handle(input::HttpResponse{
        negotiate->id, 200,
        R"({"negotiateVersion":1,"connectionId":"c1","connectionToken":"t1",)"
        R"("useStatefulReconnect":true,)"
        R"("availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]})"});
  }
  h.handle(input::SocketOpened{});
  h.handle(input::FrameReceived{"{}\x1e"});
  for (auto frame : fuzz::frames(data + 1, size - 1)) {
    h.handle(input::FrameReceived{std::string(frame)});
    h.complete_operations();
    h.advance(250);
  }
  h.handle(input::SocketClosed{1006, "", true});
  h.advance(60'000);
  return 0;
}

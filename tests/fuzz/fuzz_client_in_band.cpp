// Arbitrary messages on a peer's signaling channel (docs/ARCHITECTURE.md#in-band-signaling),
// interleaved with server frames, channel closes and path changes, to a Client whose connection
// to p2 signals in-band. A frame's first byte picks what it is: 's' a server frame, 'c' the
// channel closing, 'd'/'u' the path going down/up, anything else a channel message (the whole
// frame). No crash, no leak, and everything it writes on the channel is a well-formed ack or a
// signal its own decoder accepts.
#include "dialects/canonical.hpp"
#include "fuzz_support.hpp"

using namespace rtc_signaling;

namespace {

void check_channel(const Output& o, const Limits& limits) {
  const auto* s = std::get_if<output::SendOnSignalChannel>(&o);
  if (!s)
    return;
  auto j = nlohmann::json::parse(s->text, nullptr, false);
  if (!j.is_object())
    fuzz::violated("the client wrote a channel message that is not a JSON object", s->text);
  if (j.contains("ack")) {
    if (!j["ack"].is_number_unsigned() || j.size() != 1)
      fuzz::violated("the client wrote a malformed ack", s->text);
    return;
  }
  if (!j.contains("n") || !j["n"].is_number_unsigned() || !j.contains("s") ||
      !j["s"].is_number_unsigned() || !j.contains("signal"))
    fuzz::violated("the client wrote a channel signal without n, s and signal", s->text);
  auto payload = dialects::decode_canonical(j["signal"], limits);
  if (auto* why = std::get_if<std::string>(&payload))
    fuzz::violated("the client wrote a channel signal its own decoder rejects", *why + "\n" + s->text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Config config = fuzz::small_config("ws://fuzz.test/signal");
  config.in_band_signaling = true;
  fuzz::Harness h(config);
  const Limits limits = config.limits;
  auto step = [&](Input in) {
    h.handle(std::move(in));
    for (const auto& o : h.last)
      check_channel(o, limits);
    h.complete_operations();
    for (const auto& o : h.last)
      check_channel(o, limits);
  };
  h.handle(input::Join{});
  h.handle(input::SocketOpened{});
  h.handle(input::FrameReceived{
      R"({"type":"welcome","id":"p1","room":"r1","resume":"t","secret":"s","resumed":false,)"
      R"("peers":[{"id":"p2","name":"b"}]})"});
  h.handle(input::NegotiationNeeded{"p2"});
  if (const auto* sld = h.find<output::SetLocalDescription>())
    h.handle(input::OperationDone{"p2", sld->op_id, true, "",
                                  Description{"offer", "v=0\r\na=ice-ufrag:u1\r\n"}});
  step(input::FrameReceived{
      R"({"type":"signal","seq":1,"from":"p2","data":{"description":{"type":"answer",)"
      R"("sdp":"v=0\r\na=ice-ufrag:r1\r\na=x-rtc-signaling:in-band\r\n"}}})"});
  step(input::ConnectionStateChanged{"p2", ConnectionState::connected});
  step(input::SignalChannelChanged{"p2", true});
  for (auto frame : fuzz::frames(data, size)) {
    const char kind = frame.empty() ? '\0' : frame.front();
    if (kind == 's') {
      step(input::FrameReceived{std::string(frame.substr(1))});
    } else if (kind == 'c') {
      step(input::SignalChannelChanged{"p2", false});
    } else if (kind == 'd') {
      step(input::ConnectionStateChanged{"p2", ConnectionState::disconnected});
    } else if (kind == 'u') {
      step(input::ConnectionStateChanged{"p2", ConnectionState::connected});
    } else if (kind == 'n') {
      step(input::NegotiationNeeded{"p2"});
    } else {
      step(input::SignalChannelMessage{"p2", std::string(frame)});
    }
    h.advance(300);
  }
  h.handle(input::SocketClosed{1006, "", true});
  h.advance(60'000);
  return 0;
}

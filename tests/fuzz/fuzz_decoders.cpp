// The native codec directly, with invariants beyond "no crash":
// - round trip: a frame that decodes re-encodes into one that decodes to the same message;
// - the encoder never produces what the decoder rejects;
// - depth vs parser: a frame that parses as JSON nested deeper than max_json_depth is rejected;
// - one value only: nothing after the JSON value (a NUL, garbage) is accepted;
// - the DOM-free candidate path accepts only what the full decoder decodes to the same message;
// - lz-string: whatever decompresses is valid UTF-8 within the bound, and text compresses into
//   what decompresses back to it.
#include <nlohmann/json.hpp>

#include "dialects/json_text.hpp"
#include "dialects/lz_string.hpp"
#include "dialects/native_fast.hpp"
#include "validation.hpp"
#include "fuzz_support.hpp"

using namespace rtc_signaling;
using nlohmann::json;

namespace {

std::size_t depth(const json& j) {
  if (!j.is_structured() || j.empty())
    return j.is_structured() ? 1 : 0;
  std::size_t deepest = 0;
  for (const auto& child : j)
    deepest = std::max(deepest, depth(child));
  return deepest + 1;
}

template <typename Message, typename Decode, typename Encode>
void round_trip(std::string_view frame, Decode decode, Encode encode, const Limits& limits) {
  auto first = decode(frame, limits);
  auto* m = std::get_if<Message>(&first);
  if (m == nullptr)
    return;
  const std::string again = encode(*m);
  auto second = decode(again, limits);
  auto* m2 = std::get_if<Message>(&second);
  if (m2 == nullptr)
    fuzz::violated("an encoded message does not decode", again);
  if (!(*m == *m2))
    fuzz::violated("decode(encode(m)) != m", std::string(frame) + "\n" + again);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Limits limits;
  limits.max_json_depth = 8;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  using namespace dialects::native;
  round_trip<msg::ServerMessage>(frame, decode_server, encode_server, limits);
  round_trip<msg::ClientMessage>(frame, decode_client, encode_client, limits);

  if (auto parsed = dialects::parse_json_text(frame); parsed && depth(*parsed) > limits.max_json_depth) {
    if (std::holds_alternative<msg::ServerMessage>(decode_server(frame, limits)))
      fuzz::violated("a frame nested deeper than the limit was accepted", frame);
  }
  if (frame.find('\0') != std::string_view::npos &&
      std::holds_alternative<msg::ServerMessage>(decode_server(frame, limits))) {
    fuzz::violated("a frame holding a NUL byte was accepted", frame);
  }
  for (std::uint32_t depth : {2u, 8u}) {
    Limits l = limits;
    l.max_json_depth = depth;
    if (auto fast = fast_candidate_signal(frame, l)) {
      auto full = decode_server_dom(frame, l);
      auto* m = std::get_if<msg::ServerMessage>(&full);
      const auto* s = m ? std::get_if<msg::Signal>(m) : nullptr;
      if (s == nullptr || !(*s == *fast))
        fuzz::violated("the fast candidate path disagrees with the full decoder", frame);
    }
  }
  constexpr std::size_t kUnits = 4096;
  if (auto text = dialects::lz::decompress_uri(frame, kUnits)) {
    if (!validation::valid_utf8(*text) || text->size() > 3 * kUnits)
      fuzz::violated("lz-string decompressed into invalid or unbounded text", frame);
  }
  if (validation::valid_utf8(frame) && !frame.empty()) {
    const std::string packed = dialects::lz::compress_uri(frame);
    if (dialects::lz::decompress_uri(packed, frame.size()) != std::string(frame))
      fuzz::violated("lz-string does not round-trip", frame);
  }
  return 0;
}

// Conversions between browser values (emscripten::val) and the core's vocabulary types.
// Pure data mapping: no browser calls, no decisions.
#pragma once

#include <emscripten/val.h>

#include <optional>
#include <string>

#include "rtc_signaling/client.hpp"
#include "rtc_signaling/config.hpp"
#include "rtc_signaling/output.hpp"
#include "rtc_signaling/types.hpp"

namespace rtc_signaling::wasm {

/// Reads the config object built by js/index.ts (already validated there).
Config config_from_val(const emscripten::val& options);

emscripten::val to_val(const Description& description);
emscripten::val to_val(const Candidate& candidate);
emscripten::val peers_to_val(const std::map<PeerId, PeerInfo>& peers);

/// RTCSessionDescription | RTCSessionDescriptionInit | null -> Description.
std::optional<Description> description_from_val(const emscripten::val& value);
/// RTCIceCandidate | null (end of candidates) -> Candidate.
std::optional<Candidate> candidate_from_val(const emscripten::val& value);

/// App events become (name, plain object) pairs for the JS `emit` callback.
struct AppEvent {
  const char* name;
  emscripten::val payload;
};
std::optional<AppEvent> app_event(const Output& output);

/// True for null and undefined.
bool is_nullish(const emscripten::val& value);
/// value[key] as a string when it is one.
std::optional<std::string> string_field(const emscripten::val& value, const char* key);
/// value[key] as a number when it is one.
std::optional<double> number_field(const emscripten::val& value, const char* key);

} // namespace rtc_signaling::wasm

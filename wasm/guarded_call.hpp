// Calls into browser objects that may throw synchronously (WebSocket constructor with a bad URL,
// RTCDataChannel.send on a closing channel, addTrack on a closed connection, ...).
//
// Why: the wasm build has C++ exceptions disabled, so a JS exception unwinding through wasm frames
// would skip destructors and leave the driver half-updated. Every call that can throw goes through
// here and comes back as a value instead.
#pragma once

#include <emscripten/val.h>

#include <string>

namespace rtc_signaling::wasm {

struct CallResult {
  bool ok = false;
  emscripten::val value = emscripten::val::undefined(); ///< return value, or the thrown error
  /// "Name: message" of the thrown error; empty on success.
  std::string error_text() const;
};

/// target[method](...args) where args is a JS array.
CallResult guarded_call(const emscripten::val& target, const char* method,
                        const emscripten::val& args);
/// new constructor(...args).
CallResult guarded_new(const emscripten::val& constructor, const emscripten::val& args);

/// Builds a JS array from values.
template <typename... Ts> emscripten::val js_args(Ts&&... values) {
  emscripten::val array = emscripten::val::array();
  (array.call<void>("push", emscripten::val(std::forward<Ts>(values))), ...);
  return array;
}

} // namespace rtc_signaling::wasm

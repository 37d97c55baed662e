// What the driver's two I/O parts (signaling_io, peer_io) need from the Driver that owns them:
// a way to hand the core an input and the app an event. They never call the core themselves,
// so every input goes through the driver's one queue and the core is never re-entered.
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <optional>
#include <string>

#include "convert.hpp"
#include "rtc_signaling/input.hpp"

namespace rtc_signaling::wasm {

class Port {
public:
  /// Queues an input for the core; nullopt means "the timer fired".
  virtual void feed(std::optional<Input> input) = 0;
  /// Delivers an app event to JS (never throws).
  virtual void emit(const char* type, const emscripten::val& payload) = 0;

protected:
  ~Port() = default;
};

/// Sets each named handler of `target` to null (before dropping it: late events find nothing).
inline void detach(emscripten::val& target, const char* const* names, std::size_t count) {
  if (is_nullish(target))
    return;
  for (std::size_t i = 0; i < count; ++i)
    target.set(names[i], emscripten::val::null());
}

/// {code, message}: what the app-facing calls return on failure.
inline emscripten::val error_value(const char* code, const std::string& message) {
  emscripten::val error = emscripten::val::object();
  error.set("code", std::string(code));
  error.set("message", message);
  return error;
}

inline bool is_thenable(const emscripten::val& value) {
  return !is_nullish(value) && value["then"].typeOf().as<std::string>() == "function";
}

} // namespace rtc_signaling::wasm

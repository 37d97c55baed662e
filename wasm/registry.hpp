// The static table of live Drivers, addressed from JS by integer handle, and the trampolines that
// browser callbacks are bound to (docs/ARCHITECTURE.md#the-wasm-driver): `Module._opDone.bind(null, handle, token, true)`.
//
// Every entry point looks the handle up first, so a callback that outlives its driver is a no-op.
// Drivers are freed only when no entry point is on the stack: a JS listener may call close() from
// inside an event that the same driver is still processing.
#pragma once

#include <emscripten/val.h>

#include <string>

namespace rtc_signaling::wasm {

// Called by js/index.ts.
int create_driver(emscripten::val options, emscripten::val rtc_configuration, emscripten::val emit);
void start_driver(int handle);
void close_driver(int handle);
emscripten::val driver_send(int handle, std::string peer, emscripten::val data);
int driver_broadcast(int handle, emscripten::val data);
void driver_set_local_stream(int handle, emscripten::val stream);
emscripten::val driver_restart_ice(int handle, std::string peer);
void driver_invoke(int handle, unsigned id, std::string method, std::string arguments);
emscripten::val driver_peer_stats(int handle, std::string peer);
void driver_provide_token(int handle, emscripten::val token, std::string error);
std::string driver_id(int handle);
std::string driver_state(int handle);
emscripten::val driver_peers(int handle);
emscripten::val driver_stats(int handle);
/// Number of drivers not yet freed; lets tests prove close() leaks nothing.
int live_drivers();

// Trampolines bound into browser callbacks.
void socket_event(int handle, int generation, int kind, emscripten::val event);
void timer_fired(int handle, int generation);
void network_event(int handle, bool online, emscripten::val event);
void http_done(int handle, int token, int stage, bool ok, emscripten::val result);
void peer_event(int handle, int generation, int kind, emscripten::val event);
void operation_done(int handle, int token, bool ok, emscripten::val result);

/// fn bound to a registered trampoline: Module[name].bind(null, args...).
template <typename... Ts> emscripten::val bound_trampoline(const char* name, Ts&&... args) {
  return emscripten::val::module_property(name).call<emscripten::val>(
      "bind", emscripten::val::null(), std::forward<Ts>(args)...);
}

} // namespace rtc_signaling::wasm

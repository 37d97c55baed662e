// The embind surface. Raw symbols carry a leading `_`; js/index.ts wraps them.
#include <emscripten/bind.h>

#include "registry.hpp"

using namespace rtc_signaling::wasm;

EMSCRIPTEN_BINDINGS(rtc_signaling) {
  emscripten::function("_create", &create_driver);
  emscripten::function("_start", &start_driver);
  emscripten::function("_close", &close_driver);
  emscripten::function("_send", &driver_send);
  emscripten::function("_broadcast", &driver_broadcast);
  emscripten::function("_setLocalStream", &driver_set_local_stream);
  emscripten::function("_restartIce", &driver_restart_ice);
  emscripten::function("_invoke", &driver_invoke);
  emscripten::function("_peerStats", &driver_peer_stats);
  emscripten::function("_provideToken", &driver_provide_token);
  emscripten::function("_id", &driver_id);
  emscripten::function("_state", &driver_state);
  emscripten::function("_peers", &driver_peers);
  emscripten::function("_stats", &driver_stats);
  emscripten::function("_liveDrivers", &live_drivers);

  emscripten::function("_socketEvent", &socket_event);
  emscripten::function("_timerFired", &timer_fired);
  emscripten::function("_networkEvent", &network_event);
  emscripten::function("_httpDone", &http_done);
  emscripten::function("_peerEvent", &peer_event);
  emscripten::function("_opDone", &operation_done);
}

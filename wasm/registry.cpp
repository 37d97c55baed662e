#include "registry.hpp"

#include <map>
#include <memory>
#include <utility>

#include "convert.hpp"
#include "driver.hpp"

namespace rtc_signaling::wasm {

using emscripten::val;

namespace {

std::map<int, std::unique_ptr<Driver>>& drivers() {
  static std::map<int, std::unique_ptr<Driver>> table;
  return table;
}
int next_handle = 1;
int entry_depth = 0;

// Runs fn on the live driver behind handle; frees finished drivers once the outermost entry point
// returns, never while one of them may still be on the stack.
template <typename Fn>
auto with_driver(int handle, Fn&& fn, decltype(fn(std::declval<Driver&>())) fallback = {}) {
  auto it = drivers().find(handle);
  if (it == drivers().end() || it->second->finished())
    return fallback;
  ++entry_depth;
  auto result = fn(*it->second);
  --entry_depth;
  if (entry_depth == 0) {
    for (auto d = drivers().begin(); d != drivers().end();) {
      d = d->second->finished() ? drivers().erase(d) : std::next(d);
    }
  }
  return result;
}

template <typename Fn> void with_driver_void(int handle, Fn&& fn) {
  with_driver(handle, [&](Driver& driver) {
    fn(driver);
    return true;
  });
}

} // namespace

int create_driver(val options, val rtc_configuration, val emit) {
  int handle = next_handle++;
  auto driver = std::make_unique<Driver>(handle, config_from_val(options), rtc_configuration, emit);
  driver->set_trace(options["trace"].isTrue());
  drivers().emplace(handle, std::move(driver));
  return handle;
}

void start_driver(int handle) {
  with_driver_void(handle, [](Driver& d) { d.start(); });
}
void close_driver(int handle) {
  with_driver_void(handle, [](Driver& d) { d.close(); });
}

val driver_send(int handle, std::string peer, val data) {
  return with_driver(
      handle, [&](Driver& d) { return d.send(peer, data); }, val::null());
}
int driver_broadcast(int handle, val data) {
  return with_driver(
      handle, [&](Driver& d) { return d.broadcast(data); }, 0);
}
void driver_set_local_stream(int handle, val stream) {
  with_driver_void(handle, [&](Driver& d) { d.set_local_stream(stream); });
}
val driver_peer_stats(int handle, std::string peer) {
  return with_driver(
      handle, [&](Driver& d) { return d.peer_stats(peer); }, val::null());
}
val driver_restart_ice(int handle, std::string peer) {
  return with_driver(
      handle, [&](Driver& d) { return d.restart_ice(peer); }, val::null());
}
void driver_invoke(int handle, unsigned id, std::string method, std::string arguments) {
  with_driver_void(handle, [&](Driver& d) { d.invoke(id, method, arguments); });
}
void driver_provide_token(int handle, val token, std::string error) {
  with_driver_void(handle, [&](Driver& d) { d.provide_token(token, error); });
}
std::string driver_id(int handle) {
  return with_driver(
      handle, [](Driver& d) { return d.id(); }, std::string());
}
std::string driver_state(int handle) {
  return with_driver(
      handle, [](Driver& d) { return d.state(); }, std::string("closed"));
}
val driver_stats(int handle) {
  return with_driver(
      handle, [](Driver& d) { return d.stats(); }, val::null());
}
val driver_peers(int handle) {
  return with_driver(
      handle, [](Driver& d) { return d.peers(); }, val::array());
}
int live_drivers() {
  return static_cast<int>(drivers().size());
}

void socket_event(int handle, int generation, int kind, val event) {
  with_driver_void(
      handle, [&](Driver& d) { d.on_socket(generation, static_cast<SocketEvent>(kind), event); });
}
void timer_fired(int handle, int generation) {
  with_driver_void(handle, [&](Driver& d) { d.on_timer(generation); });
}
void network_event(int handle, bool online, val) {
  with_driver_void(handle, [&](Driver& d) { d.on_network(online); });
}
void http_done(int handle, int token, int stage, bool ok, val result) {
  with_driver_void(handle, [&](Driver& d) { d.on_http(token, stage, ok, result); });
}
void peer_event(int handle, int generation, int kind, val event) {
  with_driver_void(handle,
                   [&](Driver& d) { d.on_peer(generation, static_cast<PeerEvent>(kind), event); });
}
void operation_done(int handle, int token, bool ok, val result) {
  with_driver_void(handle, [&](Driver& d) { d.on_operation(token, ok, result); });
}

} // namespace rtc_signaling::wasm

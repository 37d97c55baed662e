// The sans-I/O signaling client (docs/ARCHITECTURE.md#the-cores-contract).
//
// Theory of operation: the embedder owns every socket, peer connection and timer. It feeds each
// event in with handle(input, now), then drains poll(now) until it returns nullopt, executing
// commands and forwarding events. It keeps one timer at next_deadline() and calls
// handle_timeout(now) when it fires. `now` is monotonic milliseconds and must never decrease.
// The core never throws: bad input becomes an output::Error and a defined state.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "rtc_signaling/config.hpp"
#include "rtc_signaling/input.hpp"
#include "rtc_signaling/output.hpp"
#include "rtc_signaling/types.hpp"

namespace rtc_signaling {

struct PeerInfo {
  std::string name;
  ConnectionState state = ConnectionState::new_;
  /// Signals to this peer travel on its connection's signaling channel now, not the server
  /// (docs/ARCHITECTURE.md#in-band-signaling).
  bool in_band = false;
};

/// Counters for diagnostics and benchmarks.
struct Stats {
  std::uint64_t frames_received = 0;
  std::uint64_t frames_dropped = 0;     ///< invalid frames dropped with an Error
  std::uint64_t unknown_types = 0;      ///< ignored for forward compatibility
  std::uint64_t signals_received = 0;   ///< valid signals from the server routed to a negotiator
  std::uint64_t signals_sent = 0;       ///< signals written to the server
  std::uint64_t signals_received_in_band = 0;  ///< valid signals applied from a signaling channel
  std::uint64_t signals_sent_in_band = 0;      ///< signals sent on a signaling channel
  std::uint64_t reconnects = 0;
};

class Client {
 public:
  explicit Client(Config config);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void handle(Input input, TimeMs now);
  void handle_timeout(TimeMs now);
  std::optional<Output> poll(TimeMs now);
  std::optional<TimeMs> next_deadline() const;

  SessionState state() const;
  const PeerId& self_id() const;   ///< empty until the first welcome
  const std::map<PeerId, PeerInfo>& peers() const;
  const Stats& stats() const;
  const Config& config() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtc_signaling

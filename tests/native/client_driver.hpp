// Drives one Client with a virtual clock and records everything it emits, so a test reads as
// "feed this, then expect that". The server side is written with the native codec's encode_server.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "dialects/native.hpp"
#include "messages.hpp"
#include "rtc_signaling/client.hpp"

namespace rtc_signaling {
// Readable gtest failure messages for the session state.
inline void PrintTo(SessionState s, std::ostream* os) {
  *os << to_string(s);
}
} // namespace rtc_signaling

namespace rtc_signaling::testing {

inline Config test_config() {
  Config c;
  c.url = "ws://server.test/signal";
  c.room = "r1";
  c.name = "alice";
  c.seed = 42;
  return c;
}

class ClientDriver {
public:
  explicit ClientDriver(Config config = test_config()) : client(std::move(config)) {}

  Client client;
  TimeMs now = 0;
  std::vector<Output> outputs;

  void handle(Input in) {
    client.handle(std::move(in), now);
    drain();
  }

  /// Moves the clock forward, firing every deadline on the way exactly at its time.
  void advance(TimeMs ms) {
    const TimeMs target = now + ms;
    while (auto d = client.next_deadline()) {
      if (*d > target)
        break;
      now = std::max(now, *d);
      client.handle_timeout(now);
      drain();
    }
    now = target;
  }

  void server(const msg::ServerMessage& m) {
    handle(input::FrameReceived{dialects::native::encode_server(m)});
  }
  void frame(std::string text) { handle(input::FrameReceived{std::move(text)}); }

  /// Join, open the socket, receive a welcome: the session ends up `open`.
  void join_open(std::vector<msg::PeerEntry> peers = {}, PeerId self = "p1",
                 std::optional<msg::Rate> rate = std::nullopt) {
    handle(input::Join{});
    handle(input::SocketOpened{});
    msg::Welcome w;
    w.id = std::move(self);
    w.room = client.config().room;
    w.resume = "tok-1";
    w.peers = std::move(peers);
    w.rate = rate;
    server(w);
  }

  void clear() { outputs.clear(); }

  template <typename T> std::vector<T> all() const {
    std::vector<T> found;
    for (const auto& o : outputs) {
      if (const auto* t = std::get_if<T>(&o))
        found.push_back(*t);
    }
    return found;
  }

  template <typename T> std::optional<T> last() const {
    auto v = all<T>();
    if (v.empty())
      return std::nullopt;
    return v.back();
  }

  template <typename T> std::size_t count() const { return all<T>().size(); }

  /// Client frames sent so far, decoded with the native codec (server side).
  std::vector<msg::ClientMessage> sent() const {
    std::vector<msg::ClientMessage> msgs;
    for (const auto& f : all<output::SendFrame>()) {
      auto d = dialects::native::decode_client(f.text, client.config().limits);
      EXPECT_TRUE(std::holds_alternative<msg::ClientMessage>(d)) << f.text;
      if (auto* m = std::get_if<msg::ClientMessage>(&d))
        msgs.push_back(*m);
    }
    return msgs;
  }

  template <typename T> std::vector<T> sent_of() const {
    std::vector<T> found;
    for (const auto& m : sent()) {
      if (const auto* t = std::get_if<T>(&m))
        found.push_back(*t);
    }
    return found;
  }

  std::vector<std::string> error_codes() const {
    std::vector<std::string> codes;
    for (const auto& e : all<output::Error>())
      codes.push_back(e.code);
    return codes;
  }

private:
  void drain() {
    while (auto o = client.poll(now))
      outputs.push_back(std::move(*o));
  }
};

/// Every SignalR record (JSON text ended by 0x1E) the client sent since the last clear(),
/// parsed; handshakes included. Each frame must end with a record separator.
inline std::vector<nlohmann::json> signalr_records(const ClientDriver& d) {
  std::vector<nlohmann::json> out;
  for (const auto& f : d.all<output::SendFrame>()) {
    std::size_t start = 0;
    for (std::size_t end; (end = f.text.find('\x1e', start)) != std::string::npos;
         start = end + 1) {
      auto j = nlohmann::json::parse(f.text.substr(start, end - start), nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << f.text;
      out.push_back(j);
    }
    EXPECT_EQ(start, f.text.size()) << "every frame ends with a record separator: " << f.text;
  }
  return out;
}

/// The invocations of `target` among signalr_records(d).
inline std::vector<nlohmann::json> signalr_invocations(const ClientDriver& d,
                                                       const std::string& target) {
  std::vector<nlohmann::json> out;
  for (auto& r : signalr_records(d)) {
    if (r.value("type", 0) == 1 && r.value("target", "") == target)
      out.push_back(std::move(r));
  }
  return out;
}

inline msg::Signal offer_from(PeerId from, std::optional<msg::Seq> seq) {
  return msg::Signal{seq, std::move(from),
                     Description{"offer", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}};
}

inline msg::Signal candidate_from(PeerId from, std::optional<msg::Seq> seq) {
  return msg::Signal{seq, std::move(from),
                     Candidate{"candidate:1 1 udp 1 10.0.0.1 5000 typ host", "0", 0, std::nullopt}};
}

} // namespace rtc_signaling::testing

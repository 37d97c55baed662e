// Shared by the libFuzzer harnesses: a Client brought to `open` for a dialect, and the invariant
// every harness checks after each input — what the client sends passes its own validator.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialects/native.hpp"
#include "rtc_signaling/client.hpp"

namespace rtc_signaling::fuzz {

[[noreturn]] inline void violated(const char* what, std::string_view detail) {
  std::fprintf(stderr, "invariant violated: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

/// The config every client harness starts from: small bounds, so the fuzzer reaches them.
inline Config small_config(std::string url) {
  Config c;
  c.url = std::move(url);
  c.room = "r1";
  c.name = "fuzz";
  c.seed = 7;
  c.limits.max_peers = 4;
  c.limits.max_held_candidates = 16;
  return c;
}

/// Drives one Client on a virtual clock and checks every frame it emits.
class Harness {
public:
  explicit Harness(Config config) : client_(std::move(config)) {}

  Client& client() { return client_; }
  TimeMs now = 0;
  std::vector<Output> last;

  void handle(Input in) {
    client_.handle(std::move(in), now);
    drain();
  }

  void advance(TimeMs ms) {
    const TimeMs target = now + ms;
    for (int guard = 0; guard < 1000; ++guard) {
      auto d = client_.next_deadline();
      if (!d || *d > target)
        break;
      now = std::max(now, *d);
      client_.handle_timeout(now);
      drain();
    }
    now = target;
  }

  /// Completes the browser operations the last input started (all succeed), so the next frame
  /// meets negotiators that moved on instead of ones stuck behind an operation.
  void complete_operations() {
    for (const auto& o : std::vector<Output>(last)) {
      if (const auto* a = std::get_if<output::AddIceCandidate>(&o))
        handle(input::OperationDone{a->peer, a->op_id, true, "", std::nullopt});
      else if (const auto* r = std::get_if<output::SetRemoteDescription>(&o))
        handle(input::OperationDone{r->peer, r->op_id, true, "", std::nullopt});
      else if (const auto* l = std::get_if<output::SetLocalDescription>(&o))
        handle(input::OperationDone{l->peer, l->op_id, true, "",
                                    Description{l->type, l->type == "rollback" ? "" : "v=0\r\n"}});
    }
  }

  template <typename T> const T* find() const {
    for (auto it = last.rbegin(); it != last.rend(); ++it) {
      if (const auto* t = std::get_if<T>(&*it))
        return t;
    }
    return nullptr;
  }

private:
  void drain() {
    last.clear();
    while (auto o = client_.poll(now)) {
      if (const auto* f = std::get_if<output::SendFrame>(&*o))
        check_sent(f->text);
      last.push_back(std::move(*o));
    }
  }

  void check_sent(const std::string& frame) {
    const Limits& limits = client_.config().limits;
    if (frame.size() > limits.max_frame_bytes)
      violated("the client sent a frame over its own max_frame_bytes", frame.substr(0, 200));
    if (client_.config().dialect == Dialect::relay) {
      // The tutorial relay JSON.parses every frame (anything else kills it) and drops any type
      // but these three.
      auto j = nlohmann::json::parse(frame, nullptr, false);
      const bool ok = j.is_object() && j.contains("type") && j["type"].is_string() &&
                      (j["type"] == "offer" || j["type"] == "answer" || j["type"] == "candidate");
      if (!ok)
        violated("the client sent a frame the relay would crash on or drop", frame);
      for (const auto& [key, value] : j.items()) {
        if (key != "type" && key != "from" && key != "to" && key != j["type"].get<std::string>())
          violated("the client sent a field the relay does not forward", frame);
      }
    }
    if (client_.config().dialect == Dialect::dyson) {
      // The chat server closes the socket on a frame that is not JSON or whose data is not an
      // object, and relays the inner data only inside a webrtc.signal envelope.
      auto j = nlohmann::json::parse(frame, nullptr, false);
      const bool ok = j.is_object() && j.value("type", "") == "webrtc.signal" &&
                      j.contains("data") && j["data"].is_object() &&
                      j["data"].contains("data") && j["data"]["data"].is_object();
      if (!ok)
        violated("the client sent a packet the chat server would close the socket on", frame);
    }
    if (client_.config().dialect == Dialect::native) {
      auto decoded = dialects::native::decode_client(frame, limits);
      if (auto* e = std::get_if<msg::DecodeError>(&decoded))
        violated("the client sent a frame its own validator rejects", e->message + "\n" + frame);
    }
  }

  Client client_;
};

/// `frame` with every `placeholder` replaced by `value` (seeds name the client's own id or
/// device, which exist only at run time).
inline std::string substitute(std::string frame, const std::string& placeholder, const std::string& value) {
  for (auto at = frame.find(placeholder); at != std::string::npos; at = frame.find(placeholder, at + value.size()))
    frame.replace(at, placeholder.size(), value);
  return frame;
}

/// Splits fuzz input into frames at 0xFF 0xFE pairs (bytes invalid in UTF-8, so JSON never needs
/// them), so one input can carry a conversation of several frames.
inline std::vector<std::string_view> frames(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> out;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  for (std::size_t i = 0; i + 1 < all.size(); ++i) {
    if (static_cast<unsigned char>(all[i]) == 0xFF && static_cast<unsigned char>(all[i + 1]) == 0xFE) {
      out.push_back(all.substr(start, i - start));
      start = i + 2;
      ++i;
    }
  }
  out.push_back(all.substr(start));
  return out;
}

} // namespace rtc_signaling::fuzz

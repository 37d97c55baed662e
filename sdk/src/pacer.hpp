// Client-side pacing to the rate a server advertises (welcome.rate): a token bucket on the
// embedder's clock. Signals wait in the outbox until a token is free, so a burst (a newcomer
// offering to 31 peers at once) reaches the server at a rate it processes without queueing.
// Acks and pings are never held; they spend tokens too (possibly going into debt), because the
// server counts every frame. The bucket runs a little below the advertised figures so clock
// drift between the two ends does not push the server over its limit.
#pragma once

#include <algorithm>
#include <optional>

#include "messages.hpp"

namespace rtc_signaling::core {

class Pacer {
public:
  /// nullopt: the server advertised nothing; every frame goes at once. `sent` frames (the join)
  /// already went on this socket.
  void configure(std::optional<msg::Rate> rate, TimeMs now, int sent = 1) {
    if (!rate) {
      per_ms_ = 0;
      return;
    }
    per_ms_ = rate->frames_per_sec * kMargin / 1000.0;
    burst_ = std::max(1.0, rate->burst * kMargin);
    tokens_ = burst_ - sent;
    updated_ = now;
  }

  bool paced() const { return per_ms_ > 0; }

  void spend(TimeMs now) {
    if (!paced())
      return;
    refill(now);
    tokens_ -= 1;
  }

  bool can_send(TimeMs now) {
    if (!paced())
      return true;
    refill(now);
    return tokens_ >= 1;
  }

  /// When can_send() turns true (at least now + 1 ms when it is false now).
  TimeMs next_at(TimeMs now) {
    refill(now);
    if (!paced() || tokens_ >= 1)
      return now;
    return now + std::max<TimeMs>(1, static_cast<TimeMs>((1 - tokens_) / per_ms_) + 1);
  }

private:
  static constexpr double kMargin = 0.9;

  void refill(TimeMs now) {
    if (now > updated_) {
      tokens_ = std::min(burst_, tokens_ + (now - updated_) * per_ms_);
      updated_ = now;
    }
  }

  double per_ms_ = 0;
  double burst_ = 0;
  double tokens_ = 0;
  TimeMs updated_ = 0;
};

} // namespace rtc_signaling::core

// Signals on their way to the server (docs/ARCHITECTURE.md#the-reliable-stream-and-resume). An entry stays until the server acknowledges
// its seq, so after a resume everything unacknowledged is sent again; signals produced while the
// session is not open simply wait here without a seq.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "messages.hpp"

namespace rtc_signaling::core {

class Outbox {
public:
  struct Entry {
    PeerId to;
    SignalPayload payload;
    msg::Seq seq = 0; ///< 0 = never sent in this server session
    bool on_wire = false; ///< sent on the current socket (a resume or pacing may still owe it)
  };

  explicit Outbox(std::size_t capacity) : capacity_(capacity) {}

  enum class PushResult {
    queued,
    queued_dropping_oldest, ///< full: the oldest non-description entry was evicted
    refused                 ///< full of descriptions: the new entry was not queued
  };
  /// Descriptions are never evicted: losing an offer or answer wedges negotiation for good,
  /// whereas a lost candidate only costs one path (and ICE restart recovers). `capacity` bounds
  /// what waits while the session is not open; while it is open the entries are moving (sent,
  /// paced, or awaiting the server's ack) and nothing is evicted up to kOpenFactor × capacity,
  /// so a newcomer's burst of candidates to 31 peers loses none.
  PushResult push(PeerId to, SignalPayload payload, bool open = false);
  static constexpr std::size_t kOpenFactor = 16;

  /// Cumulative ack from the server: forget everything up to `seq`.
  void ack(msg::Seq seq);
  /// The server started a fresh session (resume not honoured): its seq numbering restarts at 1,
  /// so nothing we sent before counts as delivered and every entry gets a new number.
  void restart_numbering();
  /// The server lost its state (restart): forget everything it was sent, delivered or not.
  void drop_sent();
  /// Queues ahead of everything unsent (a repair that must precede signals queued after it).
  void push_front(PeerId to, SignalPayload payload);
  /// Removes and returns, in order, the signals to `to` when none of them was ever given a seq
  /// (so no server has seen any); nullopt, leaving them, otherwise.
  std::optional<std::vector<SignalPayload>> take_unsent(const PeerId& to);
  /// Forget signals to a peer that is gone.
  void drop_peer(const PeerId& id);
  /// A new socket has carried nothing yet: every entry is owed to it again (resend after resume).
  void socket_changed();
  /// Gives the entry the next seq if it has none.
  msg::Seq assign_seq(Entry& e);

  std::deque<Entry>& entries() { return entries_; }
  const std::deque<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }

private:
  std::size_t capacity_;
  std::deque<Entry> entries_;
  msg::Seq next_seq_ = 1;
};

} // namespace rtc_signaling::core

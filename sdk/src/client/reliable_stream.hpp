// The reliable stream of one server session, in both directions
// (docs/ARCHITECTURE.md#the-reliable-stream-and-resume):
// - in: reliable messages carry a seq; duplicates are dropped and everything processed is acked
//   cumulatively, batched: at once after kAckEvery unacknowledged messages, otherwise kAckDelayMs
//   after the first one (well inside the ~1 s the server allows). A duplicate re-arms the ack,
//   since it means the server missed our last one.
// - out: signals wait in the Outbox until the server acks their seq, leave at the pacer's rate,
//   and are sent again on the socket of a resumed session.
// - resume: the token and secret of the session and the last seq processed, for the next Join.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "client/context.hpp"
#include "outbox.hpp"

namespace rtc_signaling::core {

class ReliableStream {
public:
  static constexpr msg::Seq kAckEvery = 16;
  static constexpr TimeMs kAckDelayMs = 200;

  /// `waiting(peer)`: signals never sent to this peer wait (it is not back on a restarted
  /// server yet, which would refuse them as unknown-peer).
  ReliableStream(Context& ctx, std::function<bool(const PeerId&)> waiting);

  // ---- incoming

  /// Seq dedupe and ack scheduling for a message that may carry a seq. False = duplicate.
  bool accept(const std::optional<msg::Seq>& seq, TimeMs now);
  /// Sends the cumulative ack now if anything is unacknowledged (the ack timer fired).
  void flush_ack(TimeMs now);
  /// The server acknowledged our signals up to `seq`.
  void acked(msg::Seq seq) { outbox_.ack(seq); }

  // ---- resume

  bool had_welcome() const { return had_welcome_; }
  /// Nothing queued or unacknowledged, no ack owed (signaling: until-connected parks on it).
  bool quiet() const { return outbox_.size() == 0 && !reack_ && !ctx_.timers.armed(Timer::ack); }
  /// Some signal to `peer` waits to go out or to be acknowledged.
  bool holds(const PeerId& peer) const {
    for (const auto& e : outbox_.entries())
      if (e.to == peer)
        return true;
    return false;
  }
  /// The signals to `peer` when the server never saw any of them (see Outbox::take_unsent).
  std::optional<std::vector<SignalPayload>> take_unsent(const PeerId& peer) {
    return outbox_.take_unsent(peer);
  }
  /// Some signal waits to go out.
  bool pending() const { return outbox_.size() != 0; }
  /// Adds the resume fields to the Join of a new socket; the Join's lastSeq acks everything.
  void prepare_join(msg::Join& join);
  /// What a welcome means for the stream. `restored`: a restarted server that cannot tell which
  /// of our unacknowledged signals it relayed; `id_changed`: a fresh session under a new id.
  void on_welcome(const msg::Welcome& w, bool restored, bool id_changed);

  // ---- outgoing

  /// Validates, size-checks and queues a signal; sends it at once when the session is open.
  void send_signal(const PeerId& to, SignalPayload payload, TimeMs now);
  /// Queues a repair ahead of everything unsent.
  void push_front(const PeerId& to, SignalPayload payload) {
    outbox_.push_front(to, std::move(payload));
  }
  /// Sends what this socket has not carried yet: with `resend` (a new socket) first the entries
  /// sent before but not acknowledged, in their seq order; then the entries never sent, in
  /// order for each peer, and across peers descriptions first, then peers taking turns (so a
  /// newcomer's offers to a big room all leave within the first frames instead of behind every
  /// earlier peer's candidates). Stops at the pacer's limit and comes back when its timer fires.
  void flush(TimeMs now, bool resend);
  void drop_peer(const PeerId& id) { outbox_.drop_peer(id); }
  /// Drops the signals to every peer for which `keep` is false.
  void drop_unless(const std::function<bool(const PeerId&)>& keep);

  const Outbox& outbox() const { return outbox_; }

private:
  Context& ctx_;
  std::function<bool(const PeerId&)> waiting_;
  Outbox outbox_;

  bool had_welcome_ = false;
  std::optional<std::string> resume_token_;
  std::optional<std::string> resume_secret_; ///< from the session's first welcome
  msg::Seq last_in_seq_ = 0;  ///< highest reliable seq received and processed
  msg::Seq acked_in_seq_ = 0; ///< highest seq we told the server about
  bool reack_ = false;        ///< a duplicate arrived: the server missed our ack
  PeerId last_served_;        ///< the peer the last never-sent entry went to (turn taking)

  void schedule_ack(TimeMs now);
  /// The never-sent entry to send next (see flush), or nullptr.
  Outbox::Entry* next_unsent();
  void send(Outbox::Entry& e, TimeMs now);
};

} // namespace rtc_signaling::core

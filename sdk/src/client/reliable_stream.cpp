#include "client/reliable_stream.hpp"

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "rtc_signaling/error.hpp"
#include "validation.hpp"

namespace rtc_signaling::core {
namespace {

/// The largest seq a frame can carry (2^53 - 1, exact in JS): measuring with it bounds the size.
constexpr msg::Seq kMaxWireSeq = (msg::Seq{1} << 53) - 1;

} // namespace

ReliableStream::ReliableStream(Context& ctx, std::function<bool(const PeerId&)> waiting)
    : ctx_(ctx), waiting_(std::move(waiting)), outbox_(ctx.config.limits.outbox_frames) {}

bool ReliableStream::accept(const std::optional<msg::Seq>& seq, TimeMs now) {
  if (!seq)
    return true;
  if (*seq <= last_in_seq_) {
    reack_ = true;
    schedule_ack(now);
    return false;
  }
  last_in_seq_ = *seq;
  if (last_in_seq_ - acked_in_seq_ >= kAckEvery) {
    flush_ack(now);
  } else {
    schedule_ack(now);
  }
  return true;
}

void ReliableStream::schedule_ack(TimeMs now) {
  if (!ctx_.timers.armed(Timer::ack))
    ctx_.timers.set(Timer::ack, now + kAckDelayMs);
}

void ReliableStream::flush_ack(TimeMs now) {
  ctx_.timers.clear(Timer::ack);
  if (!ctx_.socket_open())
    return;
  if (last_in_seq_ > acked_in_seq_ || (reack_ && last_in_seq_ > 0)) {
    ctx_.send(msg::AckOut{last_in_seq_}, now);
    acked_in_seq_ = last_in_seq_;
  }
  reack_ = false;
}

void ReliableStream::prepare_join(msg::Join& join) {
  if (had_welcome_ && resume_token_) {
    join.resume = resume_token_;
    join.secret = resume_secret_;
    join.last_seq = last_in_seq_;
  }
  acked_in_seq_ = last_in_seq_;
}

void ReliableStream::on_welcome(const msg::Welcome& w, bool restored, bool id_changed) {
  if (restored) {
    // Resending could apply a signal twice: drop them (the peer table repairs negotiations
    // instead). The new process numbers on after our lastSeq, so last_in_seq_ stays.
    outbox_.drop_sent();
  } else if (w.resumed && !id_changed) {
    if (w.ack)
      outbox_.ack(*w.ack);
  } else {
    // A fresh server session: both directions number from 1 again.
    last_in_seq_ = 0;
    acked_in_seq_ = 0;
    outbox_.restart_numbering();
  }
  resume_token_ = w.resume;
  // Only a session's first welcome carries its secret; a resumed one keeps the one we have.
  if (w.secret || !w.resumed)
    resume_secret_ = w.secret;
  had_welcome_ = true;
}

void ReliableStream::send_signal(const PeerId& to, SignalPayload payload, TimeMs now) {
  const Limits& limits = ctx_.config.limits;
  // Limits apply to what goes on the wire: invalid UTF-8 would be replaced (and grow) in
  // encoding, and escapes grow the frame, so both checks measure the encoded form.
  validation::make_valid_utf8(payload);
  if (auto problem = validation::check_payload(payload, limits)) {
    ctx_.error(errc::bad_message, "not sending an invalid signal to " + to + ": " + *problem);
    return;
  }
  const std::size_t encoded = ctx_.dialect->encode(msg::SignalTo{to, kMaxWireSeq, payload}).size();
  if (encoded > limits.max_frame_bytes) {
    ctx_.error(errc::message_too_large, "not sending a signal to " + to + ": its frame of " +
                                            std::to_string(encoded) + " bytes exceeds " +
                                            std::to_string(limits.max_frame_bytes));
    return;
  }
  switch (outbox_.push(to, std::move(payload), ctx_.session_open())) {
  case Outbox::PushResult::queued:
    break;
  case Outbox::PushResult::queued_dropping_oldest:
    ctx_.error(errc::outbox_full, "outbox full: dropped the oldest candidate");
    break;
  case Outbox::PushResult::refused:
    ctx_.error(errc::outbox_full, "outbox full of descriptions: signal to " + to + " dropped");
    break;
  }
  if (ctx_.session_open())
    flush(now, false);
}

void ReliableStream::send(Outbox::Entry& e, TimeMs now) {
  const msg::Seq seq = outbox_.assign_seq(e);
  e.on_wire = true;
  ctx_.send(msg::SignalTo{e.to, seq, e.payload}, now);
  ++ctx_.stats.signals_sent;
}

Outbox::Entry* ReliableStream::next_unsent() {
  // Each peer's first unsent entry (its head): only a head may go, so one peer's signals keep
  // their order. The earliest head that is a description goes first.
  std::set<PeerId> seen;
  Outbox::Entry* after = nullptr; // the first head of a peer after last_served_ in id order
  Outbox::Entry* lowest = nullptr; // the head of the lowest peer id, for the wrap-around
  for (auto& e : outbox_.entries()) {
    if (e.on_wire || e.seq != 0 || !seen.insert(e.to).second)
      continue;
    if (waiting_(e.to))
      continue;
    if (std::holds_alternative<Description>(e.payload))
      return &e;
    if (e.to > last_served_ && (!after || e.to < after->to))
      after = &e;
    if (!lowest || e.to < lowest->to)
      lowest = &e;
  }
  return after ? after : lowest;
}

void ReliableStream::flush(TimeMs now, bool resend) {
  if (!ctx_.session_open() || !ctx_.socket_open())
    return;
  if (resend)
    outbox_.socket_changed();
  bool held = false;
  // Entries with a seq were sent on an earlier socket: the server expects them in seq order.
  for (auto& e : outbox_.entries()) {
    if (e.on_wire || e.seq == 0)
      continue;
    if (!ctx_.pacer.can_send(now)) {
      held = true;
      break;
    }
    send(e, now);
  }
  while (!held) {
    Outbox::Entry* e = next_unsent();
    if (!e)
      break;
    if (!ctx_.pacer.can_send(now)) {
      held = true;
      break;
    }
    last_served_ = e->to;
    send(*e, now);
  }
  if (held)
    ctx_.timers.set(Timer::pacing, ctx_.pacer.next_at(now));
  if (!ctx_.dialect->acknowledges())
    outbox_.ack(UINT64_MAX);
}

void ReliableStream::drop_unless(const std::function<bool(const PeerId&)>& keep) {
  std::vector<PeerId> drop;
  for (const auto& e : outbox_.entries()) {
    if (!keep(e.to))
      drop.push_back(e.to);
  }
  for (const auto& id : drop)
    outbox_.drop_peer(id);
}

} // namespace rtc_signaling::core

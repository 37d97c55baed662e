#include "outbox.hpp"

#include <algorithm>
#include <utility>

namespace rtc_signaling::core {

Outbox::PushResult Outbox::push(PeerId to, SignalPayload payload, bool open) {
  PushResult result = PushResult::queued;
  if (entries_.size() >= (open ? capacity_ * kOpenFactor : capacity_)) {
    auto victim = std::find_if(entries_.begin(), entries_.end(), [](const Entry& e) {
      return !std::holds_alternative<Description>(e.payload);
    });
    if (victim == entries_.end())
      return PushResult::refused;
    entries_.erase(victim);
    result = PushResult::queued_dropping_oldest;
  }
  entries_.push_back(Entry{std::move(to), std::move(payload), 0});
  return result;
}

void Outbox::ack(msg::Seq seq) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [seq](const Entry& e) { return e.seq != 0 && e.seq <= seq; }),
                 entries_.end());
}

void Outbox::restart_numbering() {
  for (auto& e : entries_)
    e.seq = 0;
  next_seq_ = 1;
}

void Outbox::drop_sent() {
  entries_.erase(
      std::remove_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.seq != 0; }),
      entries_.end());
}

void Outbox::push_front(PeerId to, SignalPayload payload) {
  auto first_unsent =
      std::find_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.seq == 0; });
  entries_.insert(first_unsent, Entry{std::move(to), std::move(payload), 0});
}

std::optional<std::vector<SignalPayload>> Outbox::take_unsent(const PeerId& to) {
  std::vector<SignalPayload> taken;
  for (const auto& e : entries_) {
    if (e.to == to && e.seq != 0)
      return std::nullopt;
  }
  for (auto& e : entries_) {
    if (e.to == to)
      taken.push_back(std::move(e.payload));
  }
  drop_peer(to);
  return taken;
}

void Outbox::drop_peer(const PeerId& id) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&id](const Entry& e) { return e.to == id; }),
                 entries_.end());
}

void Outbox::socket_changed() {
  for (auto& e : entries_)
    e.on_wire = false;
}

msg::Seq Outbox::assign_seq(Entry& e) {
  if (e.seq == 0)
    e.seq = next_seq_++;
  return e.seq;
}

} // namespace rtc_signaling::core

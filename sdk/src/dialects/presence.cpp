#include "dialects/presence.hpp"

namespace rtc_signaling::dialects {

msg::Welcome PresenceBook::welcome(const PeerId& self, const std::string& room) {
  live_ = true;
  msg::Welcome w;
  w.id = self;
  w.room = room;
  w.resumed = welcomed_;
  for (auto& [id, peer] : peers_) {
    peer.last_seen = now_;
    w.peers.push_back(msg::PeerEntry{id, peer.name});
  }
  welcomed_ = true;
  return w;
}

void PresenceBook::seen(const PeerId& id) {
  if (auto it = peers_.find(id); it != peers_.end())
    it->second.last_seen = now_;
}

bool PresenceBook::heard(const PeerId& id, const std::string& name) {
  if (auto it = peers_.find(id); it != peers_.end()) {
    it->second = Peer{name, now_};
    return true;
  }
  if (peers_.size() < max_peers_)
    peers_[id] = Peer{name, now_};
  return false;
}

void PresenceBook::add_silent(const PeerId& id, const std::string& name) {
  if (peers_.size() >= max_peers_)
    return;
  peers_[id] = Peer{name, now_};
  silent_.insert(id);
}

bool PresenceBook::forget(const PeerId& id) {
  silent_.erase(id);
  return peers_.erase(id) != 0;
}

std::optional<TimeMs> PresenceBook::next_deadline() const {
  if (!live_)
    return std::nullopt;
  std::optional<TimeMs> earliest;
  for (const auto& [id, peer] : peers_) {
    if (silent_.count(id) != 0)
      continue;
    const TimeMs at = peer.last_seen + timeout_ms_;
    if (!earliest || at < *earliest)
      earliest = at;
  }
  return earliest;
}

std::vector<PeerId> PresenceBook::expire(TimeMs now) {
  now_ = now;
  std::vector<PeerId> gone;
  if (!live_)
    return gone;
  for (auto it = peers_.begin(); it != peers_.end();) {
    if (silent_.count(it->first) == 0 && it->second.last_seen + timeout_ms_ <= now) {
      gone.push_back(it->first);
      it = peers_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

} // namespace rtc_signaling::dialects

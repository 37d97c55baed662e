#include "roster.hpp"

#include <set>

namespace rtc_signaling::core {

Roster::AddResult Roster::add(const msg::PeerEntry& peer) {
  if (peers_.count(peer.id) != 0)
    return AddResult::already_present;
  if (peers_.size() >= capacity_)
    return AddResult::full;
  peers_.emplace(peer.id, PeerInfo{peer.name, ConnectionState::new_});
  return AddResult::added;
}

bool Roster::remove(const PeerId& id) {
  return peers_.erase(id) != 0;
}

void Roster::set_state(const PeerId& id, ConnectionState state) {
  auto it = peers_.find(id);
  if (it != peers_.end())
    it->second.state = state;
}

void Roster::set_in_band(const PeerId& id, bool in_band) {
  auto it = peers_.find(id);
  if (it != peers_.end())
    it->second.in_band = in_band;
}

Roster::Diff Roster::reconcile(const std::vector<msg::PeerEntry>& server, const PeerId& self) {
  Diff diff;
  std::set<PeerId> listed;
  for (const auto& p : server) {
    if (p.id != self)
      listed.insert(p.id);
  }
  for (auto it = peers_.begin(); it != peers_.end();) {
    if (listed.count(it->first) == 0) {
      diff.left.push_back(it->first);
      it = peers_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& p : server) {
    if (p.id == self)
      continue;
    switch (add(p)) {
    case AddResult::added:
      diff.joined.push_back(p);
      break;
    case AddResult::full:
      diff.refused.push_back(p);
      break;
    case AddResult::already_present:
      break;
    }
  }
  return diff;
}

} // namespace rtc_signaling::core

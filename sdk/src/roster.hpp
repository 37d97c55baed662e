// Who is in the room (docs/ARCHITECTURE.md#the-roster): peer id -> {name, connection state}, never including ourselves.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "messages.hpp"
#include "rtc_signaling/client.hpp"

namespace rtc_signaling::core {

class Roster {
public:
  explicit Roster(std::size_t capacity) : capacity_(capacity) {}

  enum class AddResult { added, already_present, full };
  AddResult add(const msg::PeerEntry& peer);
  bool remove(const PeerId& id);
  bool contains(const PeerId& id) const { return peers_.count(id) != 0; }
  void set_state(const PeerId& id, ConnectionState state);
  void set_in_band(const PeerId& id, bool in_band);
  void clear() { peers_.clear(); }
  std::size_t size() const { return peers_.size(); }
  const std::map<PeerId, PeerInfo>& peers() const { return peers_; }

  /// What changed when the roster was made equal to a server's list.
  struct Diff {
    std::vector<PeerId> left;            ///< were here, not in the list: PeerLeft{"gone"}
    std::vector<msg::PeerEntry> joined;  ///< new in the list
    std::vector<msg::PeerEntry> refused; ///< new, but the roster is full
  };
  /// Makes the roster equal to `server` (minus `self`), keeping the state of peers that stay.
  Diff reconcile(const std::vector<msg::PeerEntry>& server, const PeerId& self);

private:
  std::size_t capacity_;
  std::map<PeerId, PeerInfo> peers_;
};

} // namespace rtc_signaling::core

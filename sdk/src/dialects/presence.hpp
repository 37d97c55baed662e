// Who is in the room when the server does not say (relay, dyson): peers announce themselves
// (hello, its reply here, beat, bye) through the server, and a peer silent for longer than the
// timeout is gone. This class keeps that book; each dialect encodes the announcements its own way.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "messages.hpp"

namespace rtc_signaling::dialects {

class PresenceBook {
public:
  PresenceBook(TimeMs timeout_ms, std::size_t max_peers)
      : timeout_ms_(timeout_ms), max_peers_(max_peers) {}

  void advance(TimeMs now) { now_ = now; }
  TimeMs now() const { return now_; }
  TimeMs timeout_ms() const { return timeout_ms_; }

  /// We are announced on a fresh socket: the room as we know it becomes the session's welcome
  /// (resumed after the first), and every known peer gets a fresh window, since we could not hear
  /// anyone while away.
  msg::Welcome welcome(const PeerId& self, const std::string& room);
  /// Until a new socket is announced we hear nobody, so nobody's silence counts.
  void socket_closed() { live_ = false; }

  bool known(const PeerId& id) const { return peers_.count(id) != 0; }
  std::size_t size() const { return peers_.size(); }
  /// Any frame from a known peer proves it alive.
  void seen(const PeerId& id);
  /// A presence announcement: refreshes a known peer (true) or adds a new one (false); a new
  /// one is not added when the book is full (then known() stays false).
  bool heard(const PeerId& id, const std::string& name);
  /// A peer that never announces itself (a plain client calling us): kept, never timed out.
  void add_silent(const PeerId& id, const std::string& name);
  /// A goodbye: true when the peer was known.
  bool forget(const PeerId& id);

  std::optional<TimeMs> next_deadline() const;
  /// The peers silent past the timeout, removed from the book.
  std::vector<PeerId> expire(TimeMs now);

private:
  struct Peer {
    std::string name;
    TimeMs last_seen = 0;
  };

  TimeMs timeout_ms_;
  std::size_t max_peers_;
  TimeMs now_ = 0;
  bool live_ = false;     ///< the socket is open and announced; presence can expire
  bool welcomed_ = false; ///< a welcome was made (the next ones say resumed)
  std::map<PeerId, Peer> peers_;
  std::set<PeerId> silent_;
};

} // namespace rtc_signaling::dialects

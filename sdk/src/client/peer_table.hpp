// Who is in the room and the connection to each of them (docs/ARCHITECTURE.md#the-client): the
// roster, one Negotiator per remote peer, the routing of signals between them and the reliable
// stream, and the repair after a server restart (peers the new process does not list yet keep
// their connections for a grace period; negotiations a restart may have cut are repaired).
#pragma once

#include <map>
#include <vector>

#include "client/context.hpp"
#include "client/in_band.hpp"
#include "client/reliable_stream.hpp"
#include "negotiation/negotiator.hpp"
#include "roster.hpp"

namespace rtc_signaling::core {

class PeerTable {
public:
  PeerTable(Context& ctx, ReliableStream& stream);

  const std::map<PeerId, PeerInfo>& peers() const { return roster_.peers(); }
  bool contains(const PeerId& id) const { return roster_.contains(id); }
  /// Missing from a restarted server's roster and not back yet.
  bool returning(const PeerId& id) const { return returning_.count(id) != 0; }

  // ---- messages (already accepted by the reliable stream)

  void on_peer_joined(const msg::PeerJoined& m, TimeMs now);
  void on_peer_left(const msg::PeerLeft& m);
  void on_signal(const msg::Signal& m, TimeMs now);

  // ---- welcome, in this order

  /// Not resumed: every remote peer dropped its connection to us; close ours.
  void drop_connections();
  /// Makes the roster equal to the welcome's list; `restored` keeps the peers still returning.
  Roster::Diff reconcile(std::vector<msg::PeerEntry> listed, bool restored, TimeMs now);
  /// Announces the diff; a `newcomer` opens a connection to everyone (only the newcomer does,
  /// so a join never causes glare); after a restore the negotiations are repaired.
  void announce(const Roster::Diff& diff, bool newcomer, bool restored, TimeMs now);

  // ---- the embedder's peer-connection events

  template <typename F> void with_negotiator(const PeerId& peer, TimeMs now, F&& f) {
    auto it = negotiators_.find(peer);
    if (it == negotiators_.end())
      return;
    f(it->second);
    drain(it->first, it->second, now);
  }

  // ---- in-band signaling (client/in_band.hpp)

  void on_signal_channel(const PeerId& peer, bool open, TimeMs now);
  void on_in_band(const PeerId& peer, const std::string& text, TimeMs now);

  // ---- signaling: until-connected

  /// At least one peer, and every connection settled (Negotiator::settled).
  bool all_settled() const;
  /// Some connection is not `connected`: it may need an ICE restart, which needs signaling.
  bool any_faltering() const;

  // ---- time and teardown

  void on_timeout(TimeMs now);
  std::optional<TimeMs> next_deadline() const;
  /// The session ended: close every connection.
  void close_all();

private:
  using Negotiators = std::map<PeerId, negotiation::Negotiator>;

  Context& ctx_;
  ReliableStream& stream_;
  Roster roster_;
  Negotiators negotiators_;
  InBand in_band_;
  bool roster_full_reported_ = false; ///< reset when the roster has room again
  /// Server restart (welcome.restored): the new process knows only who has resumed so far.
  /// Peers missing from its roster keep their connections until this deadline; their own resume
  /// brings them back with peer-joined.
  std::map<PeerId, TimeMs> returning_;
  /// The last offer sent to each peer: a restart may have lost it or its answer.
  std::map<PeerId, Description> last_offer_;

  Negotiators::iterator ensure_negotiator(const PeerId& id, bool initiating);
  void forget_peer(const PeerId& id);
  void roster_full(const PeerId& ignored);
  void drain(const PeerId& peer, negotiation::Negotiator& n, TimeMs now);
  void send_signal(const PeerId& peer, SignalPayload payload, TimeMs now);
  /// The server route, counted for the channel's ordering (client/in_band.hpp).
  void to_server(const PeerId& peer, SignalPayload payload, TimeMs now);
  /// The in-band route failed: an offer sent that way and still unanswered goes by the server.
  void fall_back(const PeerId& peer, TimeMs now);
  void move_in_band(const PeerId& peer);
  static void apply_in_band(negotiation::Negotiator& n, SignalPayload& payload);

  TimeMs returning_grace() const;
  void keep_returning(std::vector<msg::PeerEntry>& listed, TimeMs now);
  void arm_returning();
  void expire_returning(TimeMs now);
  void recover(const PeerId& id, TimeMs now);
};

} // namespace rtc_signaling::core

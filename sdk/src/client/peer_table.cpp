#include "client/peer_table.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "rtc_signaling/error.hpp"

namespace rtc_signaling::core {

PeerTable::PeerTable(Context& ctx, ReliableStream& stream)
    : ctx_(ctx), stream_(stream), roster_(ctx.config.limits.max_peers), in_band_(ctx) {}

// ---------------------------------------------------------------- messages

void PeerTable::on_peer_joined(const msg::PeerJoined& m, TimeMs now) {
  if (m.peer.id == ctx_.self_id)
    return;
  switch (roster_.add(m.peer)) {
  case Roster::AddResult::added:
    ctx_.emit(output::PeerJoined{m.peer.id, m.peer.name});
    break;
  case Roster::AddResult::full:
    roster_full(m.peer.id);
    break;
  case Roster::AddResult::already_present:
    // Back after a server restart: repair what the outage may have lost, send what waited.
    if (returning_.erase(m.peer.id) != 0) {
      recover(m.peer.id, now);
      stream_.flush(now, false);
    }
    break;
  }
  if (m.initiate && roster_.contains(m.peer.id))
    ensure_negotiator(m.peer.id, true);
}

void PeerTable::on_peer_left(const msg::PeerLeft& m) {
  if (!roster_.contains(m.id))
    return;
  ctx_.emit(output::PeerLeft{m.id, m.reason});
  forget_peer(m.id);
}

void PeerTable::on_signal(const msg::Signal& m, TimeMs now) {
  if (m.from == ctx_.self_id || !roster_.contains(m.from)) {
    ++ctx_.stats.frames_dropped;
    ctx_.error(errc::bad_message, m.from == ctx_.self_id
                                      ? "signal claims to come from ourselves"
                                      : "signal from a peer not in the room: " + m.from);
    return;
  }
  ++ctx_.stats.signals_received;
  auto it = negotiators_.find(m.from);
  if (it == negotiators_.end()) {
    // Existing members create their connection on the newcomer's first description; anything
    // else before it has no connection to apply to.
    if (!std::holds_alternative<Description>(m.payload))
      return;
    it = ensure_negotiator(m.from, false);
  }
  auto& n = it->second;
  if (const auto* d = std::get_if<Description>(&m.payload); d && InBand::marked(*d)) {
    Description unmarked = *d;
    InBand::unmark(unmarked);
    n.remote_signal(unmarked);
    in_band_.remote_capable(m.from);
  } else {
    n.remote_signal(m.payload);
  }
  // Channel messages written after this signal were waiting for it.
  for (auto& p : in_band_.received_by_server(m.from))
    apply_in_band(n, p);
  drain(it->first, n, now);
}

// ---------------------------------------------------------------- in-band signaling

void PeerTable::on_signal_channel(const PeerId& peer, bool open, TimeMs now) {
  auto it = negotiators_.find(peer);
  if (it == negotiators_.end())
    return;
  const bool was_open = in_band_.open(peer);
  in_band_.channel_changed(peer, open);
  roster_.set_in_band(peer, in_band_.usable(peer));
  if (was_open && !in_band_.open(peer)) {
    fall_back(peer, now);
    for (auto& payload : in_band_.take_lost(peer))
      to_server(peer, std::move(payload), now);
  } else if (!was_open && in_band_.open(peer))
    move_in_band(peer);
}

void PeerTable::on_in_band(const PeerId& peer, const std::string& text, TimeMs now) {
  auto it = negotiators_.find(peer);
  if (it == negotiators_.end())
    return;
  for (auto& p : in_band_.receive(peer, text, now))
    apply_in_band(it->second, p);
  drain(it->first, it->second, now);
}

void PeerTable::apply_in_band(negotiation::Negotiator& n, SignalPayload& payload) {
  if (auto* d = std::get_if<Description>(&payload))
    InBand::unmark(*d);
  n.remote_signal(payload);
}

/// Signals queued for the server while the route was not usable, and never written to any
/// server, go on the channel instead once it is.
void PeerTable::move_in_band(const PeerId& peer) {
  if (!in_band_.usable(peer))
    return;
  if (auto waiting = stream_.take_unsent(peer)) {
    in_band_.taken_back(peer, waiting->size());
    for (const auto& p : *waiting)
      in_band_.send(peer, p);
  }
}

void PeerTable::fall_back(const PeerId& peer, TimeMs now) {
  auto it = negotiators_.find(peer);
  auto offer = last_offer_.find(peer);
  if (it == negotiators_.end() || offer == last_offer_.end() || !in_band_.offer_in_band(peer) ||
      it->second.signaling_state() != SignalingState::have_local_offer)
    return;
  in_band_.sent_by_server(peer);
  stream_.push_front(peer, offer->second);
  if (ctx_.session_open())
    stream_.flush(now, false);
}

void PeerTable::send_signal(const PeerId& peer, SignalPayload payload, TimeMs now) {
  in_band_.note_local(peer, payload);
  if (auto* d = std::get_if<Description>(&payload)) {
    in_band_.mark(*d);
    if (d->type == "offer")
      last_offer_[peer] = *d;
  }
  if (in_band_.usable(peer)) {
    // Only behind nothing the server may still carry: one peer's signals keep their order.
    move_in_band(peer);
    if (!stream_.holds(peer)) {
      in_band_.send(peer, payload);
      return;
    }
  }
  to_server(peer, std::move(payload), now);
}

void PeerTable::to_server(const PeerId& peer, SignalPayload payload, TimeMs now) {
  in_band_.sent_by_server(peer);
  stream_.send_signal(peer, std::move(payload), now);
}

// ---------------------------------------------------------------- welcome

void PeerTable::drop_connections() {
  // Signals still queued belong to the closed connections.
  for (const auto& [peer, n] : negotiators_) {
    ctx_.emit(output::ClosePeerConnection{peer});
    stream_.drop_peer(peer);
  }
  negotiators_.clear();
  in_band_.clear();
  for (const auto& [id, info] : roster_.peers())
    roster_.set_in_band(id, false);
  last_offer_.clear();
}

Roster::Diff PeerTable::reconcile(std::vector<msg::PeerEntry> listed, bool restored,
                                  TimeMs now) {
  if (restored) {
    keep_returning(listed, now);
  } else {
    returning_.clear();
    ctx_.timers.clear(Timer::returning);
  }
  return roster_.reconcile(listed, ctx_.self_id);
}

void PeerTable::announce(const Roster::Diff& diff, bool newcomer, bool restored, TimeMs now) {
  for (const auto& id : diff.left) {
    ctx_.emit(output::PeerLeft{id, "gone"});
    forget_peer(id);
  }
  roster_full_reported_ = false;
  if (!diff.refused.empty())
    roster_full(diff.refused.front().id);
  for (const auto& p : diff.joined)
    ctx_.emit(output::PeerJoined{p.id, p.name});
  // A peer new to us in a restored welcome joined the restarted server before we came back: it
  // was told peer-joined for us and waits for our offer, as for any newcomer.
  if (restored && !newcomer) {
    for (const auto& p : diff.joined)
      ensure_negotiator(p.id, true);
  }
  if (newcomer) {
    for (const auto& [id, info] : roster_.peers())
      ensure_negotiator(id, true);
  }
  // Signals to peers that are no longer in the room would only earn unknown-peer errors.
  stream_.drop_unless([this](const PeerId& id) { return roster_.contains(id); });
  if (restored) {
    for (const auto& [id, info] : roster_.peers()) {
      if (returning_.count(id) == 0)
        recover(id, now);
    }
  }
}

// ---------------------------------------------------------------- time and teardown

void PeerTable::on_timeout(TimeMs now) {
  if (ctx_.timers.take_due(Timer::returning, now))
    expire_returning(now);
  for (auto& [peer, payload] : in_band_.expire(now)) {
    if (auto it = negotiators_.find(peer); it != negotiators_.end())
      apply_in_band(it->second, payload);
  }
  for (auto& [peer, n] : negotiators_) {
    if (auto d = n.next_deadline(); d && *d <= now)
      n.handle_timeout(now);
  }
  for (auto& [peer, n] : negotiators_)
    drain(peer, n, now);
}

std::optional<TimeMs> PeerTable::next_deadline() const {
  std::optional<TimeMs> earliest = in_band_.next_deadline();
  for (const auto& [peer, n] : negotiators_) {
    auto d = n.next_deadline();
    if (d && (!earliest || *d < *earliest))
      earliest = d;
  }
  return earliest;
}

bool PeerTable::all_settled() const {
  if (negotiators_.empty() || negotiators_.size() != roster_.peers().size())
    return false;
  for (const auto& [id, n] : negotiators_) {
    if (!n.settled())
      return false;
  }
  return true;
}

bool PeerTable::any_faltering() const {
  for (const auto& [id, n] : negotiators_) {
    // A connection checking new credentials on a path its signaling channel still uses (an ICE
    // restart signaled in-band) needs no server.
    if (n.connection_state() != ConnectionState::connected && !in_band_.usable(id))
      return true;
  }
  return false;
}

void PeerTable::close_all() {
  returning_.clear();
  for (const auto& [peer, n] : negotiators_)
    ctx_.emit(output::ClosePeerConnection{peer});
  negotiators_.clear();
  in_band_.clear();
  for (const auto& [id, info] : roster_.peers())
    roster_.set_in_band(id, false);
}

// ---------------------------------------------------------------- connections

PeerTable::Negotiators::iterator PeerTable::ensure_negotiator(const PeerId& id, bool initiating) {
  auto it = negotiators_.find(id);
  if (it != negotiators_.end())
    return it;
  const bool polite = negotiation::is_polite(ctx_.dialect->negotiation_policy(), ctx_.self_id,
                                             id, initiating);
  ctx_.emit(output::CreatePeerConnection{id, polite});
  in_band_.track(id);
  return negotiators_
      .try_emplace(id, id, polite, ctx_.config.ice_grace_ms,
                   ctx_.config.limits.max_held_candidates)
      .first;
}

void PeerTable::forget_peer(const PeerId& id) {
  roster_.remove(id);
  roster_full_reported_ = false;
  returning_.erase(id);
  last_offer_.erase(id);
  stream_.drop_peer(id);
  in_band_.forget(id);
  if (negotiators_.erase(id) != 0)
    ctx_.emit(output::ClosePeerConnection{id});
}

/// Once per episode: a server announcing peers in a loop must not get an error per frame.
void PeerTable::roster_full(const PeerId& ignored) {
  if (roster_full_reported_)
    return;
  roster_full_reported_ = true;
  ctx_.error(errc::roster_full, "roster holds at most " +
                                    std::to_string(ctx_.config.limits.max_peers) +
                                    " peers; ignoring " + ignored + " and any further newcomers");
}

void PeerTable::drain(const PeerId& peer, negotiation::Negotiator& n, TimeMs now) {
  while (auto action = n.poll()) {
    std::visit(
        [&](auto& a) {
          using A = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<A, negotiation::SendSignal>) {
            send_signal(peer, std::move(a.payload), now);
          } else if constexpr (std::is_same_v<A, output::PeerStateChanged>) {
            roster_.set_state(a.id, a.state);
            in_band_.connection_changed(peer, a.state);
            const bool usable = in_band_.usable(peer);
            roster_.set_in_band(peer, usable);
            ctx_.emit(std::move(a));
            if (usable)
              move_in_band(peer);
            else
              fall_back(peer, now);
          } else {
            ctx_.emit(std::move(a));
          }
        },
        *action);
  }
}

// ---------------------------------------------------------------- server restart

/// A peer still resuming after a restart retries at least every max_delay_ms; give it one full
/// backoff window plus a server timeout before calling it gone.
TimeMs PeerTable::returning_grace() const {
  const TimeMs window = TimeMs{ctx_.config.reconnect.max_delay_ms} + ctx_.config.server_timeout_ms;
  return std::max<TimeMs>(20'000, window);
}

/// Adds roster peers the restarted server does not list yet to `listed`, so reconcile keeps
/// them, and starts (or keeps) their deadline.
void PeerTable::keep_returning(std::vector<msg::PeerEntry>& listed, TimeMs now) {
  std::set<PeerId> present;
  for (const auto& p : listed)
    present.insert(p.id);
  for (auto it = returning_.begin(); it != returning_.end();)
    it = present.count(it->first) != 0 ? returning_.erase(it) : std::next(it);
  for (const auto& [id, info] : roster_.peers()) {
    if (present.count(id) != 0)
      continue;
    listed.push_back(msg::PeerEntry{id, info.name});
    returning_.try_emplace(id, now + returning_grace());
  }
  arm_returning();
}

void PeerTable::arm_returning() {
  ctx_.timers.clear(Timer::returning);
  for (const auto& [id, deadline] : returning_) {
    auto at = ctx_.timers.get(Timer::returning);
    if (!at || deadline < *at)
      ctx_.timers.set(Timer::returning, deadline);
  }
}

void PeerTable::expire_returning(TimeMs now) {
  std::vector<PeerId> gone;
  for (const auto& [id, deadline] : returning_) {
    if (deadline <= now)
      gone.push_back(id);
  }
  for (const auto& id : gone) {
    ctx_.emit(output::PeerLeft{id, "gone"});
    forget_peer(id);
  }
  arm_returning();
}

/// After a restart a signal in flight may be lost either way. An offer still waiting for its
/// answer is offered again (re-applying an identical offer is a legal renegotiation, unlike a
/// duplicate answer); a stable connection that is not connected restarts ICE. The peer runs the
/// same repair from its side, and glare is resolved by perfect negotiation.
void PeerTable::recover(const PeerId& id, TimeMs now) {
  auto it = negotiators_.find(id);
  if (it == negotiators_.end())
    return;
  auto& n = it->second;
  if (n.signaling_state() == SignalingState::have_local_offer) {
    if (auto offer = last_offer_.find(id); offer != last_offer_.end())
      stream_.push_front(id, offer->second);
  } else if (n.signaling_state() == SignalingState::stable &&
             n.connection_state() != ConnectionState::connected) {
    n.restart_ice();
    drain(id, n, now);
  }
}

} // namespace rtc_signaling::core

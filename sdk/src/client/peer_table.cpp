#include "client/peer_table.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "rtc_signaling/error.hpp"

namespace rtc_signaling::core {

PeerTable::PeerTable(Context& ctx, ReliableStream& stream)
    : ctx_(ctx), stream_(stream), roster_(ctx.config.limits.max_peers) {}

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
  it->second.remote_signal(m.payload);
  drain(it->first, it->second, now);
}

// ---------------------------------------------------------------- welcome

void PeerTable::drop_connections() {
  // Signals still queued belong to the closed connections.
  for (const auto& [peer, n] : negotiators_) {
    ctx_.emit(output::ClosePeerConnection{peer});
    stream_.drop_peer(peer);
  }
  negotiators_.clear();
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
  for (auto& [peer, n] : negotiators_) {
    if (auto d = n.next_deadline(); d && *d <= now)
      n.handle_timeout(now);
  }
  for (auto& [peer, n] : negotiators_)
    drain(peer, n, now);
}

std::optional<TimeMs> PeerTable::next_deadline() const {
  std::optional<TimeMs> earliest;
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
    if (n.connection_state() != ConnectionState::connected)
      return true;
  }
  return false;
}

void PeerTable::close_all() {
  returning_.clear();
  for (const auto& [peer, n] : negotiators_)
    ctx_.emit(output::ClosePeerConnection{peer});
  negotiators_.clear();
}

// ---------------------------------------------------------------- connections

PeerTable::Negotiators::iterator PeerTable::ensure_negotiator(const PeerId& id, bool initiating) {
  auto it = negotiators_.find(id);
  if (it != negotiators_.end())
    return it;
  const bool polite = negotiation::is_polite(ctx_.dialect->negotiation_policy(), ctx_.self_id,
                                             id, initiating);
  ctx_.emit(output::CreatePeerConnection{id, polite});
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
            if (const auto* d = std::get_if<Description>(&a.payload); d && d->type == "offer")
              last_offer_[peer] = *d;
            stream_.send_signal(peer, std::move(a.payload), now);
          } else {
            if constexpr (std::is_same_v<A, output::PeerStateChanged>) {
              roster_.set_state(a.id, a.state);
            }
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

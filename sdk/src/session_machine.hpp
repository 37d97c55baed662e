// The session's lifecycle as data (docs/ARCHITECTURE.md#the-session), in the spirit of h11's state tables: one row per
// (state, event) that is allowed; anything not listed leaves the state unchanged. Session
// decides *which* event happened and performs the side effects of entering a state; this table
// alone decides *where* the session goes.
//
//   idle ──join──▶ connecting ──socket_opened──▶ joining ──welcome──▶ open
//                      │  ▲                          │                  │
//          connection_lost  retry          connection_lost      connection_lost
//                      ▼  │                          ▼                  ▼
//                   reconnecting ◀───────────────────┴──────────────────┘
//   open ──park──▶ dormant ──wake──▶ connecting      (signaling: until-connected only)
//   any state but closed ──fatal | leave──▶ closed
#pragma once

#include <array>
#include <optional>

#include "rtc_signaling/types.hpp"

namespace rtc_signaling::core {

enum class SessionEvent {
  join,            ///< app called Join
  socket_opened,   ///< transport is up; the dialect handshake starts
  welcome,         ///< handshake done, we are in the room
  connection_lost, ///< socket closed/failed, server timeout, failed handshake, probe said retry
  retry,           ///< reconnect delay elapsed (or NetworkOnline)
  fatal,           ///< unauthorized, forbidden, room-full, timeout, reconnect-exhausted, ...
  leave,           ///< app called Leave
  park,            ///< until-connected: every peer connected and settled, nothing to send
  wake,            ///< until-connected: a signal must go out, or a peer connection faltered
};

const char* to_string(SessionEvent e) noexcept;

struct Transition {
  SessionState from;
  SessionEvent event;
  SessionState to;
};

using S = SessionState;
using E = SessionEvent;

// The table is meant to be read as columns.
// clang-format off
inline constexpr std::array<Transition, 21> kTransitions{{
    // from            event               to
    {S::idle,         E::join,            S::connecting},
    {S::idle,         E::fatal,           S::closed},
    {S::idle,         E::leave,           S::closed},

    {S::connecting,   E::socket_opened,   S::joining},
    {S::connecting,   E::connection_lost, S::reconnecting},
    {S::connecting,   E::fatal,           S::closed},
    {S::connecting,   E::leave,           S::closed},

    {S::joining,      E::welcome,         S::open},
    {S::joining,      E::connection_lost, S::reconnecting},
    {S::joining,      E::fatal,           S::closed},
    {S::joining,      E::leave,           S::closed},

    {S::open,         E::connection_lost, S::reconnecting},
    {S::open,         E::fatal,           S::closed},
    {S::open,         E::leave,           S::closed},
    {S::open,         E::park,            S::dormant},

    {S::dormant,      E::wake,            S::connecting},
    {S::dormant,      E::fatal,           S::closed},
    {S::dormant,      E::leave,           S::closed},

    {S::reconnecting, E::retry,           S::connecting},
    {S::reconnecting, E::fatal,           S::closed},
    {S::reconnecting, E::leave,           S::closed},
}};
// clang-format on

/// The next state, or nullopt when `event` is not expected in `from` (the event is then ignored).
constexpr std::optional<SessionState> transition(SessionState from, SessionEvent event) noexcept {
  for (const auto& t : kTransitions) {
    if (t.from == from && t.event == event)
      return t.to;
  }
  return std::nullopt;
}

} // namespace rtc_signaling::core

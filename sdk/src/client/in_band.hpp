// In-band signaling (docs/ARCHITECTURE.md#in-band-signaling): once a connection is up, the
// signals to that peer travel on a data channel of the connection itself instead of the server.
//
// - Capability: every description we send carries kMarker as its last line; a remote description
//   carrying it comes from an rtc-signaling peer with in-band signaling on. Only then is the
//   channel (negotiated, id 1, "signaling") created, on both ends, so a simple-peer, PeerJS or
//   hand-written peer never sees it and stays on the server route.
// - Route: a signal goes in-band when the channel is open, the connection has not broken since it
//   was last `connected` (an ICE restart on a working path keeps it) and no signal to that peer
//   still waits in the server outbox (so one peer's signals never overtake
//   each other across routes). Otherwise it goes to the server as before.
// - Frames on the channel: {"n":N,"s":S,"signal":<canonical payload>} and {"ack":N}. `n` numbers
//   the in-band signals of this connection from 1 (a duplicate is dropped), `s` is how many
//   signals the sender had given the server route to us by then. A receiver that has already
//   applied more server-route signals from that peer than `s` drops the message as stale: the
//   sender fell back to the server after writing it. One that has applied fewer holds it (and
//   whatever follows it on the channel) until those arrive, at most kHoldMs: a server-route
//   signal written before it is still on its way, and the order of one peer's signals holds
//   across routes.
// - Fallback: when the channel closes or the path breaks while our offer sent in-band still
//   awaits its answer, the offer is sent again over the server (re-applying an identical offer
//   is a legal renegotiation; an answer that then arrives twice is stale in `stable` and ignored
//   by the negotiator). When the channel closes, our candidates of the current ICE credentials
//   it had not acknowledged go by the server as well (a candidate applied twice is harmless; a
//   description is never repeated that way). A closed channel stays closed for that connection.
#pragma once

#include <cstdint>
#include <map>
#include <vector>
#include <optional>
#include <string>
#include <string_view>

#include "client/context.hpp"

namespace rtc_signaling::core {

class InBand {
public:
  /// The capability line, appended to every description we send when enabled.
  static constexpr std::string_view kMarker = "a=x-rtc-signaling:in-band";

  /// How long a channel message waits for the server-route signals written before it.
  static constexpr TimeMs kHoldMs = 1000;

  explicit InBand(Context& ctx) : ctx_(ctx) {}

  bool enabled() const { return ctx_.config.in_band_signaling; }

  /// Adds kMarker to a description we are about to send (enabled only).
  void mark(Description& d) const;
  static bool marked(const Description& d) { return d.sdp.find(kMarker) != std::string::npos; }
  /// Removes kMarker from a remote description; true when it was there.
  static bool unmark(Description& d);

  /// A connection to `peer` exists (its numbering starts).
  void track(const PeerId& peer) { routes_.try_emplace(peer); }
  /// The connection is gone.
  void forget(const PeerId& peer) { routes_.erase(peer); }
  void clear() { routes_.clear(); }

  /// The remote description carried kMarker: asks for the channel once (enabled only).
  void remote_capable(const PeerId& peer);
  void channel_changed(const PeerId& peer, bool open);
  /// Open and not closed since.
  bool open(const PeerId& peer) const;
  /// The connection's state changed: `connected` proves the path, `disconnected`/`failed`/
  /// `closed` break it until the next `connected` (an ICE restart on a working connection may
  /// pass through `connecting` meanwhile, and browsers keep using the old path then).
  void connection_changed(const PeerId& peer, ConnectionState state);
  /// Open, and the path has not broken since it was last connected.
  bool usable(const PeerId& peer) const;

  /// Sends on the channel (an offer sent this way is remembered for fall-back).
  void send(const PeerId& peer, const SignalPayload& payload);
  /// Every signal we send to `peer`, by either route (the current ICE credentials).
  void note_local(const PeerId& peer, const SignalPayload& payload);
  /// After the channel closed: the candidates it had not acknowledged that belong to the current
  /// ICE credentials, to send by the server.
  std::vector<SignalPayload> take_lost(const PeerId& peer);
  /// A signal for `peer` went to the server route instead.
  void sent_by_server(const PeerId& peer);
  /// `count` signals counted by sent_by_server came back from the outbox unsent.
  void taken_back(const PeerId& peer, std::size_t count);
  /// A signal from `peer` arrived over the server and was applied; returns the channel
  /// messages that were waiting for it, to apply next.
  std::vector<SignalPayload> received_by_server(const PeerId& peer);
  /// A channel frame: the payloads to apply now, in order (none for an ack, a duplicate, a
  /// stale or held message, or an invalid frame reported as bad-message).
  std::vector<SignalPayload> receive(const PeerId& peer, std::string_view text, TimeMs now);
  /// Held messages past kHoldMs, by peer, to apply now.
  std::vector<std::pair<PeerId, SignalPayload>> expire(TimeMs now);
  std::optional<TimeMs> next_deadline() const;

  /// Our last offer to `peer` went in-band; cleared when one goes by the server.
  bool offer_in_band(const PeerId& peer) const;

private:
  struct Route {
    bool requested = false; ///< OpenSignalChannel emitted
    bool open = false;
    bool closed = false;    ///< was open and closed: the server route for good
    bool path_up = false;   ///< connected, and not disconnected or failed since
    std::uint64_t next_n = 1;
    std::uint64_t last_in = 0;
    std::uint64_t server_out = 0;
    std::uint64_t server_in = 0;
    bool offer_in_band = false;
    /// A signal with a number: `s` of a held message, `n` of one of ours not acknowledged.
    /// (Vectors of one type: these stay short, and each container type costs code size.)
    struct Numbered {
      std::uint64_t number = 0;
      SignalPayload payload;
      TimeMs since = 0;
    };
    std::vector<Numbered> held;
    std::vector<Numbered> unacked_out;
    std::string local_ufrag; ///< of the last description we sent
  };

  Context& ctx_;
  std::map<PeerId, Route> routes_;

  Route* find(const PeerId& peer);
  const Route* find(const PeerId& peer) const;
  void bad(const PeerId& peer, const std::string& why);
  /// Moves the held messages whose server-route predecessors have arrived (with `expired_only`,
  /// also those held kHoldMs by `now`) to `out`, stopping at the first that still waits; stale
  /// ones are dropped on the way.
  static void release(Route& r, std::vector<SignalPayload>& out, TimeMs now, bool expired_only);
};

} // namespace rtc_signaling::core

#include "client/in_band.hpp"

#include <nlohmann/json.hpp>

#include "dialects/canonical.hpp"
#include "dialects/json_text.hpp"
#include "rtc_signaling/error.hpp"
#include "sdp.hpp"
#include "validation.hpp"

namespace rtc_signaling::core {

namespace {
constexpr std::uint64_t kMaxNumber = (std::uint64_t{1} << 53) - 1;

std::optional<std::uint64_t> number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned())
    return std::nullopt;
  const auto n = it->get<std::uint64_t>();
  return n <= kMaxNumber ? std::optional<std::uint64_t>(n) : std::nullopt;
}
} // namespace

void InBand::mark(Description& d) const {
  if (!enabled() || d.sdp.empty())
    return;
  // Browsers end every line with CRLF; a description that does not gets the line without its
  // own line end, so unmark restores it byte for byte.
  const bool terminated = d.sdp.back() == '\n';
  if (!terminated)
    d.sdp += "\r\n";
  d.sdp += kMarker;
  if (terminated)
    d.sdp += "\r\n";
}

bool InBand::unmark(Description& d) {
  std::size_t at = 0;
  while ((at = d.sdp.find(kMarker, at)) != std::string::npos) {
    const bool line_start = at == 0 || d.sdp[at - 1] == '\n';
    std::size_t end = at + kMarker.size();
    if (line_start && end == d.sdp.size()) {
      // The unterminated form: drop the line end mark() added before it.
      std::size_t begin = at;
      if (begin >= 1 && d.sdp[begin - 1] == '\n')
        --begin;
      if (begin >= 1 && d.sdp[begin - 1] == '\r')
        --begin;
      d.sdp.erase(begin);
      return true;
    }
    if (line_start && (d.sdp[end] == '\r' || d.sdp[end] == '\n')) {
      if (d.sdp[end] == '\r')
        ++end;
      if (end < d.sdp.size() && d.sdp[end] == '\n')
        ++end;
      d.sdp.erase(at, end - at);
      return true;
    }
    at = end;
  }
  return false;
}

InBand::Route* InBand::find(const PeerId& peer) {
  auto it = routes_.find(peer);
  return it == routes_.end() ? nullptr : &it->second;
}
const InBand::Route* InBand::find(const PeerId& peer) const {
  auto it = routes_.find(peer);
  return it == routes_.end() ? nullptr : &it->second;
}

void InBand::remote_capable(const PeerId& peer) {
  Route* r = find(peer);
  if (!enabled() || !r || r->requested)
    return;
  r->requested = true;
  ctx_.emit(output::OpenSignalChannel{peer});
}

void InBand::channel_changed(const PeerId& peer, bool open) {
  Route* r = find(peer);
  if (!r || !r->requested || r->closed)
    return;
  if (open) {
    r->open = true;
  } else if (r->open) {
    r->open = false;
    r->closed = true;
  }
}

void InBand::connection_changed(const PeerId& peer, ConnectionState state) {
  Route* r = find(peer);
  if (!r)
    return;
  if (state == ConnectionState::connected)
    r->path_up = true;
  else if (state != ConnectionState::connecting)
    r->path_up = false;
}

bool InBand::usable(const PeerId& peer) const {
  const Route* r = find(peer);
  return r && r->open && r->path_up;
}

bool InBand::open(const PeerId& peer) const {
  const Route* r = find(peer);
  return r && r->open;
}

void InBand::send(const PeerId& peer, const SignalPayload& payload) {
  Route* r = find(peer);
  if (!r)
    return;
  const std::uint64_t n = r->next_n++;
  // Written by hand around the canonical payload: cheaper in code size than building the object.
  std::string frame = "{\"n\":" + std::to_string(n) + ",\"s\":" + std::to_string(r->server_out) +
                      ",\"signal\":" + dialects::dump_json_text(dialects::encode_canonical(payload)) +
                      "}";
  ctx_.emit(output::SendOnSignalChannel{peer, std::move(frame)});
  ++ctx_.stats.signals_sent_in_band;
  if (const auto* d = std::get_if<Description>(&payload)) {
    if (d->type == "offer")
      r->offer_in_band = true;
  } else {
    r->unacked_out.push_back(Route::Numbered{n, payload, 0});
  }
}

void InBand::note_local(const PeerId& peer, const SignalPayload& payload) {
  Route* r = find(peer);
  if (!r)
    return;
  if (const auto* d = std::get_if<Description>(&payload)) {
    auto ufrag = ice_ufrag(d->sdp);
    if (ufrag != r->local_ufrag) {
      r->local_ufrag = std::move(ufrag);
      r->unacked_out.clear(); // candidates of older credentials are of no use to anyone
    }
  }
}

std::vector<SignalPayload> InBand::take_lost(const PeerId& peer) {
  std::vector<SignalPayload> lost;
  Route* r = find(peer);
  if (!r)
    return lost;
  for (auto& u : r->unacked_out) {
    const auto* c = std::get_if<Candidate>(&u.payload);
    if (!c || !c->username_fragment || *c->username_fragment == r->local_ufrag)
      lost.push_back(std::move(u.payload));
  }
  r->unacked_out.clear();
  return lost;
}

void InBand::sent_by_server(const PeerId& peer) {
  if (Route* r = find(peer)) {
    ++r->server_out;
    r->offer_in_band = false;
  }
}

void InBand::taken_back(const PeerId& peer, std::size_t count) {
  if (Route* r = find(peer))
    r->server_out = r->server_out < count ? 0 : r->server_out - count;
}

std::vector<SignalPayload> InBand::received_by_server(const PeerId& peer) {
  std::vector<SignalPayload> out;
  if (Route* r = find(peer)) {
    ++r->server_in;
    release(*r, out, 0, false);
  }
  return out;
}

void InBand::release(Route& r, std::vector<SignalPayload>& out, TimeMs now, bool expired_only) {
  std::size_t done = 0;
  for (; done < r.held.size(); ++done) {
    auto& h = r.held[done];
    const bool ready = h.number <= r.server_in;
    const bool expired = expired_only && h.since + kHoldMs <= now;
    if (!ready && !expired)
      break;
    if (h.number >= r.server_in) // not stale by now
      out.push_back(std::move(h.payload));
  }
  r.held.erase(r.held.begin(), r.held.begin() + static_cast<std::ptrdiff_t>(done));
}

std::vector<std::pair<PeerId, SignalPayload>> InBand::expire(TimeMs now) {
  std::vector<std::pair<PeerId, SignalPayload>> out;
  for (auto& [peer, r] : routes_) {
    std::vector<SignalPayload> ready;
    release(r, ready, now, true);
    for (auto& p : ready)
      out.emplace_back(peer, std::move(p));
  }
  return out;
}

std::optional<TimeMs> InBand::next_deadline() const {
  std::optional<TimeMs> earliest;
  for (const auto& [peer, r] : routes_) {
    if (!r.held.empty() && (!earliest || r.held.front().since + kHoldMs < *earliest))
      earliest = r.held.front().since + kHoldMs;
  }
  return earliest;
}

bool InBand::offer_in_band(const PeerId& peer) const {
  const Route* r = find(peer);
  return r && r->offer_in_band;
}

void InBand::bad(const PeerId& peer, const std::string& why) {
  ++ctx_.stats.frames_dropped;
  ctx_.error(errc::bad_message, "in-band signal from " + peer + ": " + why);
}

std::vector<SignalPayload> InBand::receive(const PeerId& peer, std::string_view text, TimeMs now) {
  Route* r = find(peer);
  if (!r || !r->open)
    return {};
  const auto& limits = ctx_.config.limits;
  if (text.size() > limits.max_frame_bytes) {
    bad(peer, "message of " + std::to_string(text.size()) + " bytes exceeds " +
                  std::to_string(limits.max_frame_bytes));
    return {};
  }
  if (!validation::json_depth_within(text, limits.max_json_depth)) {
    bad(peer, "nested deeper than " + std::to_string(limits.max_json_depth));
    return {};
  }
  auto j = dialects::parse_json_text(text);
  if (!j || !j->is_object()) {
    bad(peer, "not a JSON object");
    return {};
  }
  if (j->contains("ack")) {
    auto ack = number(*j, "ack");
    if (!ack || *ack >= r->next_n) {
      bad(peer, "ack is not the number of a signal we sent");
      return {};
    }
    auto& u = r->unacked_out;
    std::size_t retired = 0;
    while (retired < u.size() && u[retired].number <= *ack)
      ++retired;
    u.erase(u.begin(), u.begin() + static_cast<std::ptrdiff_t>(retired));
    return {};
  }
  auto n = number(*j, "n");
  auto s = number(*j, "s");
  auto signal = j->find("signal");
  if (!n || *n == 0 || !s || signal == j->end()) {
    bad(peer, "needs n (1 or more), s and signal");
    return {};
  }
  auto payload = dialects::decode_canonical(*signal, limits);
  if (auto* why = std::get_if<std::string>(&payload)) {
    bad(peer, *why);
    return {};
  }
  // Acknowledged whatever happens next: the sender only needs to know it arrived.
  ctx_.emit(output::SendOnSignalChannel{
      peer, "{\"ack\":" + std::to_string(*n) + "}"});
  if (*n <= r->last_in)
    return {}; // a duplicate
  r->last_in = *n;
  if (*s < r->server_in)
    return {}; // written before its sender fell back to the server
  ++ctx_.stats.signals_received_in_band;
  if (*s > r->server_in || !r->held.empty()) {
    if (r->held.size() >= ctx_.config.limits.max_held_candidates) {
      bad(peer, "too many signals waiting for the server route");
      return {};
    }
    r->held.push_back(Route::Numbered{*s, std::get<SignalPayload>(std::move(payload)), now});
    std::vector<SignalPayload> out;
    release(*r, out, now, false);
    return out;
  }
  return {std::get<SignalPayload>(std::move(payload))};
}

} // namespace rtc_signaling::core

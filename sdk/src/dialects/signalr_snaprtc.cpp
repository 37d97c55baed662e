// The `snaprtc` hub contract (signalr_contracts.hpp): the session hub of the SnapRTC seed, as
// published (demo/signalr-hub SnapRtcHub reproduces it).
//
// Two roles share a session, which is a SignalR group: the initiator calls Sync(session, false),
// the capture side Sync(session, true), and a ready Sync makes the hub send signalStart() to the
// whole group. The initiator then offers with SignalCapture(session, payload) and the capture side
// answers with SignalInitiator(session, payload); the hub sends signalCapture(payload) and
// signalInitiator(payload) to the whole group, the sender included, so each side reads only the
// other role's method and its own echoes are ignored. Payloads are lz-string's URI-safe
// compression of a JSON simple-peer signal, and SnapRTC clients do not trickle: a description
// goes out once ICE gathering is over, with every candidate inside it.
//
// Ids are the role labels, names are empty, roles follow who calls
// (Policy::perfect_by_call_direction): the initiator is the caller. The hub never announces a
// departure and keeps no roster, so joining again (after an outage, or after the signaling socket
// was closed on purpose: `signaling: 'until-connected'`) loses nothing the other side knew.
#include <utility>

#include "dialects/json_text.hpp"
#include "dialects/lz_string.hpp"
#include "dialects/signalr_contract_support.hpp"
#include "rtc_signaling/error.hpp"
#include "sdp.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

using namespace support;

constexpr const char* kInitiator = "initiator";
constexpr const char* kCapture = "capture";

class Snaprtc final : public Contract {
public:
  using Contract::Contract;
  const char* name() const noexcept override { return "snaprtc"; }

  Translated join(const msg::Join&, const std::optional<PeerId>&) const override {
    msg::Welcome w;
    w.id = self();
    w.room = config_.room;
    // Nothing of ours was ever announced to the other side, so nothing was lost either.
    w.resumed = welcomed_;
    welcomed_ = true;
    // A capture side that has been offered to joins again without restarting the session:
    // a second signalStart would make the initiator call anew.
    const bool ready = capture() && !offered_;
    return {{msg::ServerMessage{std::move(w)}},
            {Call{method("Sync"), json::array({config_.room, ready}), true}}};
  }

  std::vector<Call> calls(const msg::ClientMessage& m) const override {
    // The stateless view: a description as it would go out with no candidates.
    if (const auto* s = std::get_if<msg::SignalTo>(&m)) {
      if (const auto* d = std::get_if<Description>(&s->payload))
        return {signal_call(*d)};
    }
    return {};
  }

  std::vector<Call> send(const msg::ClientMessage& m) override {
    const auto* s = std::get_if<msg::SignalTo>(&m);
    if (!s)
      return {}; // leaving is stopping the connection: the hub has no method for it
    if (const auto* d = std::get_if<Description>(&s->payload)) {
      const std::string ufrag = ice_ufrag(d->sdp);
      if (ufrag != ufrag_) {
        // An ICE restart gathers anew.
        ufrag_ = ufrag;
        gathered_.clear();
        gathering_done_ = false;
      }
      held_ = *d;
    } else if (const auto* c = std::get_if<Candidate>(&s->payload)) {
      const bool stale = c->username_fragment && *c->username_fragment != ufrag_;
      if (!stale && gathered_.size() < config_.limits.max_held_candidates)
        gathered_.push_back(*c);
    } else {
      gathering_done_ = true;
    }
    if (!held_ || !gathering_done_)
      return {};
    Description complete = std::move(*held_);
    held_.reset();
    complete.sdp = sdp_with_candidates(complete.sdp, gathered_);
    return {signal_call(complete)};
  }

  Translated on_invocation(const std::string& target, const json& args,
                           const PeerId& self_id) const override {
    Translated out;
    auto push = [&](msg::ServerMessage m) { out.messages.push_back(std::move(m)); };
    if (is(target, "signalStart")) {
      if (capture() || self_id.empty()) {
        push(msg::ServerMessage{msg::Unknown{"snaprtc signalStart"}}); // our own, or early
        return out;
      }
      // The capture side is ready: a capture side we had started over, so call it anew.
      push(msg::ServerMessage{msg::PeerLeft{std::nullopt, kCapture, "gone"}});
      push(msg::ServerMessage{msg::PeerJoined{std::nullopt, {kCapture, ""}, true}});
      return out;
    }
    const bool from_initiator = is(target, "signalCapture");
    if (!from_initiator && !is(target, "signalInitiator")) {
      push(msg::ServerMessage{msg::Unknown{target}});
      return out;
    }
    if (from_initiator != capture()) {
      push(msg::ServerMessage{msg::Unknown{"snaprtc echo"}}); // what we sent, back to us
      return out;
    }
    auto text = string_at(args, 0);
    if (!text)
      return fail(target, "expected (payload)");
    auto plain = lz::decompress_uri(*text, config_.limits.max_frame_bytes);
    if (!plain)
      return fail(target, "payload is not lz-string compressed JSON");
    auto parsed = parse_text(json(std::move(*plain)), config_.limits);
    if (auto* why = std::get_if<std::string>(&parsed))
      return fail(target, *why);
    auto decoded = decode_simplepeer(std::get<json>(parsed), config_.limits);
    const std::string other = capture() ? kInitiator : kCapture;
    if (std::holds_alternative<std::monostate>(decoded)) {
      push(msg::ServerMessage{msg::Unknown{"simple-peer control signal"}});
    } else if (auto* why = std::get_if<std::string>(&decoded)) {
      out.messages.push_back(signal_from(target, json(other), *why));
    } else {
      const auto& payload = std::get<SignalPayload>(decoded);
      const auto* d = std::get_if<Description>(&payload);
      if (d && d->type == "offer") {
        // The initiator shows itself with its offer (known: no-op).
        offered_ = true;
        push(msg::ServerMessage{msg::PeerJoined{std::nullopt, {other, ""}, false}});
      }
      out.messages.push_back(signal_from(target, json(other), payload));
    }
    return out;
  }

private:
  bool capture() const { return config_.signalr.role == SignalrRole::capture; }
  const char* self() const { return capture() ? kCapture : kInitiator; }

  Call signal_call(const Description& d) const {
    const json signal = {{"type", d.type}, {"sdp", d.sdp}};
    return Call{method(capture() ? "SignalInitiator" : "SignalCapture"),
                json::array({config_.room, lz::compress_uri(dump(signal))})};
  }

  // The description waiting for gathering to end, and what gathering found for its ufrag.
  std::optional<Description> held_;
  std::vector<Candidate> gathered_;
  bool gathering_done_ = false;
  std::string ufrag_;
  // What joining again must know (join() and on_invocation() are the session's stateless
  // translations everywhere else; here the hub remembers nothing for us).
  mutable bool welcomed_ = false;
  mutable bool offered_ = false;
};

} // namespace

std::string sdp_with_candidates(const std::string& sdp, const std::vector<Candidate>& candidates) {
  std::size_t media_count = 0;
  for (std::size_t at = 0; (at = sdp.find("m=", at)) != std::string::npos; at += 2)
    media_count += at == 0 || sdp[at - 1] == '\n';
  std::string out;
  out.reserve(sdp.size() + candidates.size() * 128);
  std::size_t section_start = 0; // where the current section begins in `out`
  std::size_t media = 0;         // 1-based index of the current media section; 0: session part
  std::string mid;
  // Closes the current media section: its candidates (unless already there), then the end.
  auto end_section = [&] {
    if (media == 0)
      return;
    bool touched = false;
    for (const auto& c : candidates) {
      const bool by_index = c.sdp_mline_index && *c.sdp_mline_index >= 0 &&
                            static_cast<std::size_t>(*c.sdp_mline_index) < media_count;
      const bool here = by_index ? static_cast<std::size_t>(*c.sdp_mline_index) == media - 1
                                 : c.sdp_mid && *c.sdp_mid == mid;
      if (!here || c.candidate.empty())
        continue;
      touched = true;
      const std::string line = "a=" + c.candidate + "\r\n";
      if (out.find(line, section_start) == std::string::npos)
        out += line;
    }
    if (touched && out.find("a=end-of-candidates\r\n", section_start) == std::string::npos)
      out += "a=end-of-candidates\r\n";
  };
  for (std::size_t at = 0; at < sdp.size();) {
    std::size_t end = sdp.find('\n', at);
    if (end == std::string::npos)
      end = sdp.size();
    std::size_t stop = end;
    if (stop > at && sdp[stop - 1] == '\r')
      --stop; // CRLF, or a bare LF from a sloppy peer
    const std::string_view line(sdp.data() + at, stop - at);
    at = end + 1;
    if (line.empty())
      continue;
    if (line.substr(0, 2) == "m=") {
      end_section();
      ++media;
      mid.clear();
      section_start = out.size();
    } else if (line.substr(0, 6) == "a=mid:") {
      mid = std::string(line.substr(6));
    }
    out += line;
    out += "\r\n";
  }
  end_section();
  return out;
}

std::unique_ptr<Contract> support::make_snaprtc(const Config& config) {
  return std::make_unique<Snaprtc>(config);
}

} // namespace rtc_signaling::dialects::signalr

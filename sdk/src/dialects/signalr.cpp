#include "dialects/signalr.hpp"

#include <charconv>
#include <utility>

#include "dialects/json_text.hpp"
#include "url.hpp"
#include "validation.hpp"

namespace rtc_signaling::dialects::signalr {
namespace {

// What the official clients answer when a hub invokes a client method expecting a result: none of
// our contracts has client results, and leaving the hub waiting would block its caller.
constexpr const char* kNoClientResult = "Client didn't provide a result.";

msg::DecodeError bad(std::string why) {
  return msg::DecodeError{errc::bad_message, std::move(why)};
}

} // namespace

negotiation::Policy SignalR::negotiation_policy() const noexcept {
  // The signalrtc hub never names the caller's own connection id; negotiate does (unless
  // skipNegotiation), and then ids can be ordered as everywhere else.
  if (config_.signalr.contract == SignalrContract::signalrtc && !connection_id_)
    return negotiation::Policy::perfect_by_call_direction;
  // The ekobit hub names nobody: ids are role labels each side gives itself, so only who calls
  // whom is shared knowledge.
  if (config_.signalr.contract == SignalrContract::ekobit ||
      config_.signalr.contract == SignalrContract::snaprtc)
    return negotiation::Policy::perfect_by_call_direction;
  return negotiation::Policy::perfect_by_id;
}

std::optional<std::string> SignalR::config_problem(const Config& config) const {
  if (config.signalr.contract == SignalrContract::snaprtc &&
      config.signalr.role == SignalrRole::none)
    return "the snaprtc contract needs signalr.role: 'initiator' or 'capture'";
  return std::nullopt;
}

SignalR::SignalR(const Config& config)
    : config_(config), contract_(make_contract(config)), reader_(config.limits.max_frame_bytes),
      hub_url_(url::to_http(config.url)) {}

// ---------------------------------------------------------------- stateless views

std::string SignalR::socket_url(const Config& config,
                                const std::optional<std::string>& token) const {
  std::vector<std::pair<std::string, std::string>> params;
  if (token && !token->empty())
    params.emplace_back("access_token", *token);
  return url::with_query(config.url, params);
}

std::string SignalR::encode(const msg::ClientMessage& m) const {
  if (std::holds_alternative<msg::Ping>(m))
    return ping();
  if (const auto* join = std::get_if<msg::Join>(&m)) {
    std::string out = handshake_request();
    for (const auto& call : contract_->join(*join, connection_id_).calls)
      out += invocation(std::nullopt, call.target, call.arguments);
    return out;
  }
  std::string out;
  for (const auto& call : contract_->calls(m))
    out += invocation(std::nullopt, call.target, call.arguments);
  return out;
}

msg::Decoded<msg::ServerMessage> SignalR::decode(std::string_view frame) const {
  RecordReader reader(config_.limits.max_frame_bytes);
  auto result = reader.push(frame);
  if (result.error)
    return *result.error;
  if (result.records.empty())
    return bad("frame holds no complete record");
  auto parsed = parse_message(result.records.front(), config_.limits);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed))
    return *e;
  auto& m = std::get<HubMessage>(parsed);
  if (auto* inv = std::get_if<Invocation>(&m)) {
    auto t = contract_->on_invocation(inv->target, inv->arguments, joined_id());
    if (t.messages.empty())
      return msg::ServerMessage{msg::Unknown{inv->target}};
    return t.messages.front();
  }
  if (std::holds_alternative<Ping>(m))
    return msg::ServerMessage{msg::Pong{}};
  return msg::ServerMessage{msg::Unknown{"signalr record"}};
}

// ---------------------------------------------------------------- connection setup

void SignalR::reset_connection() {
  drop_app_invocations("the hub connection closed before the hub answered");
  joined_ = false;
  greeted_.clear();
  connection_token_.reset();
  connection_id_.reset();
  stateful_ = false;
  established_ = false;
  resume_tried_ = false;
  handshake_pending_ = false;
  awaiting_sequence_ = false;
  pending_join_.reset();
  pending_invocations_.clear();
  out_seq_ = 0;
  replay_.clear();
  replay_overflowed_ = false;
  in_next_ = 1;
  in_processed_ = 0;
  in_acked_ = 0;
  hub_url_ = url::to_http(config_.url);
  redirect_token_.reset();
  redirects_ = 0;
}

Dialect::Step SignalR::begin_attempt(const Config& config, const std::optional<std::string>& token) {
  // The session picks the endpoint of each attempt (Config::fallback_urls); a fresh negotiate
  // goes to it, a stateful resume to the hub that holds the connection.
  config_.url = config.url;
  reader_.reset();
  frames_.clear();
  token_ = token;
  if (stateful_ && connection_token_ && established_ && !resume_tried_ && !replay_overflowed_) {
    resume_tried_ = true;
    mode_ = Mode::resuming;
    handshake_pending_ = false;
    return Connect{ws_url(true)};
  }
  reset_connection();
  mode_ = Mode::fresh;
  if (config_.signalr.skip_negotiation)
    return Connect{ws_url(false)};
  return negotiate();
}

Dialect::Step SignalR::negotiate() {
  output::HttpRequest request;
  request.method = "POST";
  request.url = negotiate_url(hub_url_);
  const auto& bearer = redirect_token_ ? redirect_token_ : token_;
  if (bearer && !bearer->empty())
    request.headers.emplace_back("Authorization", "Bearer " + *bearer);
  return Request{std::move(request)};
}

std::string SignalR::ws_url(bool with_id) const {
  std::vector<std::pair<std::string, std::string>> params;
  if (with_id && connection_token_)
    params.emplace_back("id", *connection_token_);
  const auto& bearer = redirect_token_ ? redirect_token_ : token_;
  if (bearer && !bearer->empty())
    params.emplace_back("access_token", *bearer);
  return url::with_query(to_ws(hub_url_), params);
}

Dialect::Step SignalR::on_http_response(int status, const std::string& body) {
  if (status == 401)
    return Fail{errc::unauthorized, "the hub refused the token (negotiate: HTTP 401)", true};
  if (status == 403)
    return Fail{errc::forbidden, "the hub refused access (negotiate: HTTP 403)", true};
  if (status != 200) {
    return Fail{errc::server_error,
                status == 0 ? std::string("negotiate failed: network error")
                            : "negotiate failed: HTTP " + std::to_string(status),
                false};
  }
  auto response = parse_negotiate(body);
  if (auto* failed = std::get_if<NegotiateFailed>(&response))
    return Fail{errc::server_error, failed->message, false};
  if (auto* redirect = std::get_if<Redirect>(&response)) {
    if (++redirects_ > kMaxRedirects)
      return Fail{errc::server_error, "negotiate redirected too many times", false};
    hub_url_ = redirect->url;
    if (redirect->access_token)
      redirect_token_ = redirect->access_token;
    return negotiate();
  }
  auto& negotiated = std::get<Negotiated>(response);
  connection_token_ = negotiated.connection_token;
  connection_id_ = negotiated.connection_id;
  stateful_ = negotiated.stateful_reconnect;
  return Connect{ws_url(true)};
}

// ---------------------------------------------------------------- outgoing

std::string SignalR::send_call(const Call& call, std::optional<std::uint32_t> app) {
  const std::uint64_t id = next_invocation_++;
  pending_invocations_[id] = Pending{call.join, app};
  if (pending_invocations_.size() > kMaxPendingInvocations) {
    if (auto oldest = pending_invocations_.begin()->second.app) {
      results_.push_back(output::HubResult{*oldest, errc::hub_error,
                                           "more than " + std::to_string(kMaxPendingInvocations) +
                                               " invocations are waiting for the hub",
                                           "null"});
    }
    pending_invocations_.erase(pending_invocations_.begin());
  }
  std::string record = invocation(std::to_string(id), call.target, call.arguments);
  if (stateful_) {
    replay_.emplace_back(++out_seq_, record);
    if (replay_.size() > kMaxReplay) {
      replay_.pop_front();
      replay_overflowed_ = true;
    }
  }
  return record;
}

std::vector<std::string> SignalR::encode_all(const msg::ClientMessage& m) {
  std::vector<std::string> frames;
  if (const auto* join = std::get_if<msg::Join>(&m)) {
    if (mode_ == Mode::resuming) {
      // Same hub connection: no handshake; say where our numbering continues and replay.
      frames.push_back(sequence(replay_.empty() ? out_seq_ + 1 : replay_.front().first));
      for (const auto& [seq, record] : replay_)
        frames.push_back(record);
      awaiting_sequence_ = true;
      return frames;
    }
    handshake_pending_ = true;
    pending_join_ = *join;
    frames.push_back(handshake_request(stateful_ ? 2 : 1));
    return frames;
  }
  if (std::holds_alternative<msg::Ping>(m)) {
    frames.push_back(ping());
    return frames;
  }
  for (const auto& call : contract_->send(m))
    frames.push_back(send_call(call));
  return frames;
}

std::vector<std::string> SignalR::take_frames() {
  return std::exchange(frames_, {});
}

std::vector<output::HubResult> SignalR::take_results() {
  return std::exchange(results_, {});
}

void SignalR::invoke(std::uint32_t id, const std::string& method, const std::string& arguments) {
  auto parsed = parse_json_text(arguments);
  if (method.empty() || !parsed || !parsed->is_array()) {
    results_.push_back(output::HubResult{id, errc::invalid_data,
                                         "a hub method name and a JSON array of arguments", "null"});
    return;
  }
  json args = std::move(*parsed);
  std::string record = invocation(std::string("0"), method, args);
  if (record.size() > config_.limits.max_frame_bytes) {
    results_.push_back(output::HubResult{
        id, errc::message_too_large,
        "the invocation's " + std::to_string(record.size()) + " bytes exceed " +
            std::to_string(config_.limits.max_frame_bytes),
        "null"});
    return;
  }
  frames_.push_back(send_call(Call{method, std::move(args)}, id));
}

void SignalR::drop_app_invocations(const char* why) {
  for (auto it = pending_invocations_.begin(); it != pending_invocations_.end();) {
    if (it->second.app) {
      results_.push_back(output::HubResult{*it->second.app, errc::not_open, why, "null"});
      it = pending_invocations_.erase(it);
    } else {
      ++it;
    }
  }
}

void SignalR::socket_closed() {
  // With stateful reconnect the hub may still answer after the resume; otherwise never.
  if (!stateful_ || !connection_token_ || replay_overflowed_)
    drop_app_invocations("the hub connection closed before the hub answered");
}

// ---------------------------------------------------------------- incoming

std::vector<msg::Decoded<msg::ServerMessage>> SignalR::decode_all(std::string_view frame) {
  std::vector<msg::Decoded<msg::ServerMessage>> out;
  auto result = reader_.push(frame);
  for (const auto& record : result.records)
    handle_record(record, out);
  if (result.error)
    out.push_back(*result.error);
  if (stateful_ && in_processed_ > in_acked_) {
    frames_.push_back(ack(in_processed_));
    in_acked_ = in_processed_;
  }
  return out;
}

void SignalR::handle_record(const std::string& record,
                            std::vector<msg::Decoded<msg::ServerMessage>>& out) {
  if (handshake_pending_) {
    auto parsed = parse_handshake_response(record, config_.limits);
    if (auto* e = std::get_if<msg::DecodeError>(&parsed)) {
      out.push_back(*e);
      return;
    }
    handshake_pending_ = false;
    if (auto& error = std::get<HandshakeResponse>(parsed).error) {
      out.push_back(msg::ServerMessage{
          msg::ServerError{errc::server_closed, "the hub refused the handshake: " + *error, true}});
      return;
    }
    established_ = true;
    resume_tried_ = false;
    if (pending_join_) {
      deliver(contract_->join(*pending_join_, connection_id_), out);
      pending_join_.reset();
    }
    return;
  }
  auto parsed = parse_message(record, config_.limits);
  if (auto* e = std::get_if<msg::DecodeError>(&parsed)) {
    out.push_back(*e);
    return;
  }
  auto& m = std::get<HubMessage>(parsed);
  if (trackable(m)) {
    const std::int64_t id = in_next_++;
    // Replayed after a resume and already delivered before the cut.
    if (stateful_ && id <= in_processed_)
      return;
    in_processed_ = id;
  }
  handle_message(m, out);
}

void SignalR::handle_message(HubMessage& m, std::vector<msg::Decoded<msg::ServerMessage>>& out) {
  if (auto* inv = std::get_if<Invocation>(&m)) {
    if (inv->invocation_id)
      frames_.push_back(completion_error(*inv->invocation_id, kNoClientResult));
    deliver(contract_->on_invocation(inv->target, inv->arguments, joined_id()), out);
  } else if (auto* c = std::get_if<Completion>(&m)) {
    std::uint64_t id = 0;
    const auto& text = c->invocation_id;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), id);
    if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size())
      return;
    auto it = pending_invocations_.find(id);
    if (it == pending_invocations_.end())
      return;
    const Pending pending = it->second;
    const bool join = pending.join;
    pending_invocations_.erase(it);
    if (pending.app) {
      results_.push_back(c->error ? output::HubResult{*pending.app, errc::hub_error, *c->error, "null"}
                                  : output::HubResult{*pending.app, "", "",
                                                      c->result ? dump(*c->result) : "null"});
      return;
    }
    if (!c->error)
      return;
    if (join) {
      out.push_back(msg::ServerMessage{
          msg::ServerError{errc::forbidden, "the hub refused to join: " + *c->error, true}});
    } else {
      out.push_back(msg::ServerMessage{msg::ServerError{errc::hub_error, *c->error, false}});
    }
  } else if (std::holds_alternative<Ping>(m)) {
    out.push_back(msg::ServerMessage{msg::Pong{}});
  } else if (auto* close = std::get_if<Close>(&m)) {
    const std::string why = close->error ? *close->error : std::string("no reason given");
    // Whatever follows, this hub connection is over: the next attempt negotiates afresh.
    connection_token_.reset();
    connection_id_.reset();
    stateful_ = false;
    if (close->allow_reconnect) {
      out.push_back(msg::ServerMessage{
          msg::ServerError{"closed", "the hub closed the connection: " + why, false}});
    } else {
      out.push_back(msg::ServerMessage{msg::ServerError{
          errc::server_closed, "the hub closed the connection: " + why, true}});
    }
  } else if (auto* a = std::get_if<Ack>(&m)) {
    while (!replay_.empty() && replay_.front().first <= a->sequence_id)
      replay_.pop_front();
  } else if (auto* s = std::get_if<Sequence>(&m)) {
    in_next_ = s->sequence_id;
    if (awaiting_sequence_) {
      awaiting_sequence_ = false;
      msg::Welcome w;
      w.id = self_id_;
      w.room = config_.room;
      w.resumed = true;
      for (const auto& [id, name] : roster_)
        w.peers.push_back({id, name});
      out.push_back(msg::ServerMessage{std::move(w)});
    }
  } else {
    out.push_back(msg::ServerMessage{msg::Unknown{"signalr type " +
                                                  std::to_string(std::get<Other>(m).type)}});
  }
}

void SignalR::deliver(Translated t, std::vector<msg::Decoded<msg::ServerMessage>>& out) {
  for (auto& m : t.messages) {
    if (auto* sm = std::get_if<msg::ServerMessage>(&m)) {
      // A peer beyond the session's roster limit is ignored here, before it costs state or an
      // answer: a hub (or a member) announcing peers in a loop gets no HelloUser back.
      if (const auto* j = std::get_if<msg::PeerJoined>(sm); j && refuse_newcomer(j->peer.id)) {
        if (!roster_full_reported_) {
          roster_full_reported_ = true;
          out.push_back(msg::DecodeError{errc::roster_full,
                                         "roster holds at most " +
                                             std::to_string(config_.limits.max_peers) +
                                             " peers; ignoring " + j->peer.id +
                                             " and any further newcomers"});
        }
        return;
      }
      if (auto* j = std::get_if<msg::PeerJoined>(sm))
        settle_who_calls(*j);
      // A hub that keeps no roster (snaprtc) lost nothing by our absence: the contract says
      // resumed, and the peers are the ones we knew.
      if (auto* w = std::get_if<msg::Welcome>(sm); w && w->resumed && w->peers.empty()) {
        for (const auto& [id, name] : roster_)
          w->peers.push_back({id, name});
      }
      mirror(*sm);
    }
    out.push_back(std::move(m));
  }
  for (const auto& call : t.calls)
    frames_.push_back(send_call(call));
}

// signalrtc without negotiate: two users who joined at the same moment each hear the other's
// NewUserArrived and UserSaidHello, so both would call, both impolite (roles follow the call
// direction there), and their offers would glare for good. Both know both user names, so the
// smaller name calls and the other waits; equal names keep the old behaviour.
void SignalR::settle_who_calls(msg::PeerJoined& j) {
  if (config_.signalr.contract != SignalrContract::signalrtc || connection_id_)
    return;
  if (!j.initiate) {
    greeted_.insert(j.peer.id);
    return;
  }
  // Our name as NewUser sent it, which is what the other side compares.
  const std::string own = validation::truncate_utf8(config_.name, config_.limits.max_name_bytes);
  if (greeted_.count(j.peer.id) != 0 && own != j.peer.name)
    j.initiate = own < j.peer.name;
}

bool SignalR::refuse_newcomer(const PeerId& id) const {
  return roster_.size() >= config_.limits.max_peers && roster_.count(id) == 0;
}

void SignalR::mirror(const msg::ServerMessage& m) {
  if (const auto* w = std::get_if<msg::Welcome>(&m)) {
    self_id_ = w->id;
    joined_ = true;
    roster_.clear();
    roster_full_reported_ = false;
    for (const auto& p : w->peers) {
      if (roster_.size() < config_.limits.max_peers)
        roster_[p.id] = p.name;
    }
  } else if (const auto* j = std::get_if<msg::PeerJoined>(&m)) {
    roster_[j->peer.id] = j->peer.name;
  } else if (const auto* l = std::get_if<msg::PeerLeft>(&m)) {
    if (roster_.erase(l->id) != 0)
      roster_full_reported_ = false;
  }
}

} // namespace rtc_signaling::dialects::signalr

// What the hub contracts (signalr_room.cpp, signalr_signalrtc.cpp, signalr_ekobit.cpp,
// signalr_snaprtc.cpp) share:
// argument readers and signal-shape checks that validate like every other decoder, and one
// factory per contract. Internal to the signalr dialect.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "dialects/canonical.hpp"
#include "dialects/signal_fields.hpp"
#include "dialects/signalr_contracts.hpp"

namespace rtc_signaling::dialects::signalr::support {

msg::DecodeError bad(std::string why);
/// An invocation whose arguments do not fit the contract: dropped with a bad-message error.
Translated fail(const std::string& target, const std::string& why);
/// A JSON document carried as a string argument, parsed with the frame limits.
std::variant<json, std::string> parse_text(const json& arg, const Limits& limits);
std::optional<std::string> string_at(const json& args, std::size_t i);
/// {id|connectionId, name|userName} -> a roster entry, validated like native peers.
std::variant<msg::PeerEntry, std::string> peer_entry(const json& j, const char* id_key,
                                                     const char* name_key, const Limits& limits);
using dialects::candidate_fields;
using dialects::description_fields;
using dialects::checked;
msg::Decoded<msg::ServerMessage> signal_from(const std::string& target, const json& from,
                                             std::variant<SignalPayload, std::string> payload);

std::unique_ptr<Contract> make_room(const Config& config);
std::unique_ptr<Contract> make_signalrtc(const Config& config);
std::unique_ptr<Contract> make_ekobit(const Config& config);
std::unique_ptr<Contract> make_snaprtc(const Config& config);

} // namespace rtc_signaling::dialects::signalr::support

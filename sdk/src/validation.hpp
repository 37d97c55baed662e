// The limits of docs/ARCHITECTURE.md#validation-and-limits, as pure checks. Every field that arrives from the network passes
// through here before it can touch state; the same checks guard what we send, so a bug in our own
// code cannot make the server drop us for a malformed frame.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "rtc_signaling/config.hpp"
#include "rtc_signaling/types.hpp"

namespace rtc_signaling::validation {

/// A rejection reason for the Error message; nullopt means valid.
using Problem = std::optional<std::string>;

/// Nesting depth of [ and { outside strings. Run before parsing so a frame like "[[[[..." costs
/// one linear scan instead of a deep recursive parse. Returns false when depth exceeds max_depth.
bool json_depth_within(std::string_view text, std::size_t max_depth) noexcept;

/// 1-64 chars of [A-Za-z0-9._:-].
bool valid_peer_id(std::string_view id) noexcept;

bool valid_utf8(std::string_view text) noexcept;

/// `text` with every byte that does not begin a valid UTF-8 sequence replaced by U+FFFD. The
/// encoder would make the same replacement, so checking the result measures what is sent: a
/// 1000-byte candidate holding invalid bytes may be over 1 KiB once on the wire.
std::string to_valid_utf8(std::string_view text);

/// Applies to_valid_utf8 to every string of an outgoing payload.
void make_valid_utf8(SignalPayload& p);

/// Display names: at most max_name_bytes bytes of UTF-8 (rejected on receive).
Problem check_name(std::string_view name, const Limits& limits);

/// Cuts at most max_bytes off the front of `name` without splitting a UTF-8 sequence (send side).
std::string truncate_utf8(std::string_view name, std::size_t max_bytes);

/// type offer|answer|pranswer|rollback; SDP within max_sdp_bytes, starts with "v=0", every line
/// is `x=...` (CRLF or LF). Rollback may carry an empty SDP.
Problem check_description(const Description& d, const Limits& limits);

/// Within max_candidate_bytes; empty (end of this generation) or starting with "candidate:".
Problem check_candidate(const Candidate& c, const Limits& limits);

Problem check_payload(const SignalPayload& p, const Limits& limits);

} // namespace rtc_signaling::validation

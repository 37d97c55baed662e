// The hot path of the native dialect without a DOM: a candidate signal exactly as the reference
// server writes it (JSON.stringify output: no whitespace, no escapes, ASCII) becomes a msg::Signal
// in one pass. Anything else — any other type, a description, an escape, a float, a duplicate
// key, a value that would fail a check — is left to the full decoder (nullopt), which also
// produces every error. So this path only ever accepts what decode_server would decode to the
// same message; the decoders fuzzer checks exactly that.
#pragma once

#include <optional>
#include <string_view>

#include "messages.hpp"
#include "rtc_signaling/config.hpp"

namespace rtc_signaling::dialects::native {

std::optional<msg::Signal> fast_candidate_signal(std::string_view frame, const Limits& limits);

} // namespace rtc_signaling::dialects::native

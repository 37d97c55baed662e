// Reading a candidate or a description out of whatever JSON object a dialect carries it in, with
// the field names that dialect uses. Shared by every decoder, so each one checks the same way;
// validation::check_payload() still has the final word on sizes and characters.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "rtc_signaling/config.hpp"
#include "rtc_signaling/types.hpp"

namespace rtc_signaling::dialects {

/// {text_key: string, mid_key: string|null, index_key: 0..65535|null, usernameFragment:
/// string|null} -> a Candidate (an empty string stays empty: the caller decides whether that is
/// end-of-candidates), or nullopt with `why` set.
std::optional<Candidate> candidate_fields(const nlohmann::json& c, const char* text_key,
                                          const char* mid_key, const char* index_key,
                                          std::string& why);
/// {type: string, sdp: string} -> a Description, or nullopt with `why` set.
std::optional<Description> description_fields(const nlohmann::json& d, std::string& why);

/// The shapes browsers produce (relay, dyson): an offer or answer is an RTCSessionDescriptionInit
/// {type, sdp} whose type matches `type`; a candidate is an RTCIceCandidateInit, where null or an
/// empty candidate string is end-of-candidates. Checked against `limits`; why not, otherwise.
std::variant<SignalPayload, std::string> browser_signal(const std::string& type,
                                                        const nlohmann::json& value,
                                                        const Limits& limits);
/// A candidate as the RTCIceCandidateInit object browsers take.
nlohmann::json candidate_init_json(const Candidate& c);

} // namespace rtc_signaling::dialects

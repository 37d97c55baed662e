// One log line per command the core issues, for an embedder's debug log (the JS `logLevel:
// 'debug'`). Never the secrets a command may carry: URLs lose their query (tokens travel there)
// and frames and descriptions are given by size, never by content.
#pragma once

#include <optional>
#include <string>

#include "rtc_signaling/output.hpp"

namespace rtc_signaling {

/// The line for a command (OpenSocket ... AddIceCandidate); nullopt for app events, which the
/// embedder reports as events of their own.
std::optional<std::string> describe(const Output& output);

}  // namespace rtc_signaling

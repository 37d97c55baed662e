// How the two ends of one peer connection agree on their roles
// (docs/ARCHITECTURE.md#negotiation-policies). A dialect names its policy; the peer table asks
// it which side is polite when it creates a connection. Both ends must compute the same answer
// without exchanging anything, so every policy is a pure function of what both ends know.
#pragma once

#include "rtc_signaling/types.hpp"

namespace rtc_signaling::negotiation {

enum class Policy {
  /// Perfect negotiation; the byte-wise smaller id is the polite side. Needs our own id, which
  /// the welcome gives (native). Either side may offer at any time; glare resolves itself.
  perfect_by_id,
  /// Perfect negotiation; the caller is impolite and the callee polite. For servers that never
  /// tell a client its own id (SignalR's signalrtc hub without negotiate): both ends still
  /// agree because exactly one of them initiates the connection.
  perfect_by_call_direction,
};

/// Whether we are the polite side of the connection to `remote`. `initiating`: we open it (the
/// newcomer, or told to call), rather than the remote's first description creating it.
inline bool is_polite(Policy policy, const PeerId& self, const PeerId& remote,
                         bool initiating) noexcept {
  switch (policy) {
  case Policy::perfect_by_call_direction:
    return !initiating;
  case Policy::perfect_by_id:
    break;
  }
  return self.compare(remote) < 0;
}

} // namespace rtc_signaling::negotiation

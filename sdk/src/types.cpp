// String forms of the public enums. They match the browser's strings exactly, because the wasm
// layer passes RTCPeerConnection.signalingState / connectionState through unchanged.
#include "rtc_signaling/types.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace rtc_signaling {
namespace {

constexpr std::array<std::pair<SignalingState, const char*>, 6> kSignalingStates{{
    {SignalingState::stable, "stable"},
    {SignalingState::have_local_offer, "have-local-offer"},
    {SignalingState::have_remote_offer, "have-remote-offer"},
    {SignalingState::have_local_pranswer, "have-local-pranswer"},
    {SignalingState::have_remote_pranswer, "have-remote-pranswer"},
    {SignalingState::closed, "closed"},
}};

constexpr std::array<std::pair<ConnectionState, const char*>, 6> kConnectionStates{{
    {ConnectionState::new_, "new"},
    {ConnectionState::connecting, "connecting"},
    {ConnectionState::connected, "connected"},
    {ConnectionState::disconnected, "disconnected"},
    {ConnectionState::failed, "failed"},
    {ConnectionState::closed, "closed"},
}};

constexpr std::array<std::pair<SessionState, const char*>, 7> kSessionStates{{
    {SessionState::idle, "idle"},
    {SessionState::connecting, "connecting"},
    {SessionState::joining, "joining"},
    {SessionState::open, "open"},
    {SessionState::reconnecting, "reconnecting"},
    {SessionState::dormant, "dormant"},
    {SessionState::closed, "closed"},
}};

template <typename Enum, std::size_t N>
const char* name_of(const std::array<std::pair<Enum, const char*>, N>& table, Enum value) noexcept {
  for (const auto& [e, name] : table) {
    if (e == value)
      return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, const char*>, N>& table,
                             std::string_view text) noexcept {
  for (const auto& [e, name] : table) {
    if (text == name)
      return e;
  }
  return std::nullopt;
}

} // namespace

const char* to_string(SessionState s) noexcept {
  return name_of(kSessionStates, s);
}
const char* to_string(SignalingState s) noexcept {
  return name_of(kSignalingStates, s);
}
const char* to_string(ConnectionState s) noexcept {
  return name_of(kConnectionStates, s);
}

std::optional<SignalingState> signaling_state_from_string(std::string_view text) noexcept {
  return value_of(kSignalingStates, text);
}

std::optional<ConnectionState> connection_state_from_string(std::string_view text) noexcept {
  return value_of(kConnectionStates, text);
}

} // namespace rtc_signaling

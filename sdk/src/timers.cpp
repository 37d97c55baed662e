#include "timers.hpp"

namespace rtc_signaling::core {

bool Timers::take_due(Timer t, TimeMs now) noexcept {
  auto& d = deadlines_[index(t)];
  if (!d || *d > now)
    return false;
  d.reset();
  return true;
}

std::optional<TimeMs> Timers::next() const noexcept {
  std::optional<TimeMs> earliest;
  for (const auto& d : deadlines_) {
    if (d && (!earliest || *d < *earliest))
      earliest = d;
  }
  return earliest;
}

} // namespace rtc_signaling::core

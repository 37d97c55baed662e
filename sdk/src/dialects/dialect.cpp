#include "dialects/dialect.hpp"

#include "dialects/dyson.hpp"
#include "dialects/native.hpp"
#include "dialects/relay.hpp"
#include "dialects/signalr.hpp"

namespace rtc_signaling::dialects {

std::unique_ptr<Dialect> make_dialect(const Config& config) {
  switch (config.dialect) {
  case rtc_signaling::Dialect::native:
    return std::make_unique<native::Native>(config.limits);
  case rtc_signaling::Dialect::signalr:
    return std::make_unique<signalr::SignalR>(config);
  case rtc_signaling::Dialect::relay:
    return std::make_unique<relay::Relay>(config);
  case rtc_signaling::Dialect::dyson:
    return std::make_unique<dyson::Dyson>(config);
  }
  return nullptr;
}

} // namespace rtc_signaling::dialects

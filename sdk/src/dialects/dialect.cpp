#include "dialects/dialect.hpp"

#include "dialects/native.hpp"

namespace rtc_signaling::dialects {

std::unique_ptr<Dialect> make_dialect(const Config& config) {
  switch (config.dialect) {
  case rtc_signaling::Dialect::native:
    return std::make_unique<native::Native>(config.limits);
  }
  return nullptr;
}

} // namespace rtc_signaling::dialects

// The `native` v1 dialect (docs/ARCHITECTURE.md#walkthrough-the-native-dialect): JSON text frames for our reference server. Both
// directions are here — the client uses encode_client/decode_server, tests and simulated servers
// use the other two — so one file owns every wire shape.
#pragma once

#include <string>
#include <string_view>

#include "dialects/dialect.hpp"

namespace rtc_signaling::dialects::native {

std::string encode_client(const msg::ClientMessage& m);
msg::Decoded<msg::ClientMessage> decode_client(std::string_view frame, const Limits& limits);

std::string encode_server(const msg::ServerMessage& m);
msg::Decoded<msg::ServerMessage> decode_server(std::string_view frame, const Limits& limits);
/// decode_server without its fast path (native_fast.hpp): the fuzzer checks both agree.
msg::Decoded<msg::ServerMessage> decode_server_dom(std::string_view frame, const Limits& limits);

class Native final : public Dialect {
public:
  explicit Native(Limits limits) : limits_(limits) {}

  const char* name() const noexcept override { return "native"; }
  std::string socket_url(const Config& config,
                         const std::optional<std::string>& token) const override;
  bool acknowledges() const noexcept override { return true; }
  std::string encode(const msg::ClientMessage& m) const override { return encode_client(m); }
  msg::Decoded<msg::ServerMessage> decode(std::string_view frame) const override {
    return decode_server(frame, limits_);
  }

private:
  Limits limits_;
};

} // namespace rtc_signaling::dialects::native

// The core alone, natively (g++ -O2 through CMake Release): the same candidate frames as
// bench/throughput.mjs fed to a Client, each AddIceCandidate completed at once, no JS and no
// wasm. Beside the wasm row it tells how much of the gap is the core's own work and how much is
// the wasm build and the JS<->wasm boundary.
//
//   build-bench/rtc_bench_core [frames] [rounds]  -> prints one JSON line {frames, rounds, native}
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "rtc_signaling/client.hpp"

using namespace rtc_signaling;

namespace {

const char* kCandidate = "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr "
                         "0.0.0.0 rport 0 generation 0 ufrag EsAw network-cost 999";

struct Session {
  Client client;
  TimeMs now = 0;
  explicit Session(Config c) : client(std::move(c)) {}

  /// Drains the outputs and completes every browser operation at once, like a stub pc.
  void settle() {
    std::vector<Output> outs;
    for (bool more = true; more;) {
      more = false;
      while (auto o = client.poll(now))
        outs.push_back(std::move(*o));
      for (auto& out : outs) {
        std::optional<input::OperationDone> done;
        if (auto* r = std::get_if<output::SetRemoteDescription>(&out))
          done = input::OperationDone{r->peer, r->op_id, true, "", std::nullopt};
        else if (auto* l = std::get_if<output::SetLocalDescription>(&out))
          done = input::OperationDone{l->peer, l->op_id, true, "", Description{"answer", "v=0\r\n"}};
        else if (auto* a = std::get_if<output::AddIceCandidate>(&out))
          done = input::OperationDone{a->peer, a->op_id, true, "", std::nullopt};
        if (done) {
          client.handle(std::move(*done), now);
          more = true;
        }
      }
      outs.clear();
    }
  }
  void frame(std::string text) {
    client.handle(input::FrameReceived{std::move(text)}, now);
    settle();
  }
};

double round_once(int frames) {
  Config c;
  c.url = "ws://bench.invalid/signal";
  c.room = "bench";
  c.name = "a";
  c.reconnect.enabled = false;
  Session s(c);
  s.client.handle(input::Join{}, s.now);
  s.client.handle(input::SocketOpened{}, s.now);
  s.frame(R"({"type":"welcome","id":"p1","room":"bench","resume":"t","resumed":false,"ack":0,"peers":[]})");
  s.frame(R"({"type":"peer-joined","seq":1,"peer":{"id":"p2","name":"b"}})");
  s.frame(R"({"type":"signal","seq":2,"from":"p2","data":{"description":{"type":"offer","sdp":"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"}}})");
  std::vector<std::string> texts;
  texts.reserve(frames);
  for (int i = 0; i < frames; ++i) {
    texts.push_back(R"({"type":"signal","seq":)" + std::to_string(i + 3) +
                    R"(,"from":"p2","data":{"candidate":{"candidate":")" + kCandidate +
                    R"(","sdpMid":"0","sdpMLineIndex":0}}})");
  }
  const auto start = std::chrono::steady_clock::now();
  for (auto& text : texts) {
    s.frame(std::move(text));
    s.now += 0.01;
    if (auto d = s.client.next_deadline(); d && *d <= s.now) {
      s.client.handle_timeout(s.now);
      s.settle();
    }
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (s.client.stats().signals_received < static_cast<std::uint64_t>(frames)) {
    std::fprintf(stderr, "only %llu of %d candidates applied\n",
                 static_cast<unsigned long long>(s.client.stats().signals_received), frames);
    std::exit(1);
  }
  return frames / (ms / 1000);
}

} // namespace

int main(int argc, char** argv) {
  const int frames = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
  std::printf("{\"frames\":%d,\"rounds\":%d,\"native\":[", frames, rounds);
  for (int r = 0; r < rounds; ++r)
    std::printf("%s%.1f", r ? "," : "", round_once(frames));
  std::printf("]}\n");
}

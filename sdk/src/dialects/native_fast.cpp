#include "dialects/native_fast.hpp"

#include <cstdint>
#include <string>

#include "validation.hpp"

namespace rtc_signaling::dialects::native {
namespace {

constexpr std::uint64_t kMaxSeq = (std::uint64_t{1} << 53) - 1;
constexpr std::size_t kMaxFieldBytes = 257; // sdpMid, usernameFragment, as the full decoder

/// A forward-only reader of the JSON subset the fast path takes; every method returns false (or
/// nullopt) on anything outside it, and the caller gives up.
class Reader {
public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool take(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  /// A string without escapes, control characters or non-ASCII bytes: its value is its bytes.
  std::optional<std::string_view> string() {
    if (!take('"'))
      return std::nullopt;
    const std::size_t begin = i_;
    for (; i_ < s_.size(); ++i_) {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"')
        return s_.substr(begin, i_++ - begin);
      if (c == '\\' || c < 0x20 || c >= 0x80)
        return std::nullopt;
    }
    return std::nullopt;
  }
  /// A non-negative integer without a leading zero, at most 15 digits.
  std::optional<std::uint64_t> number() {
    const std::size_t begin = i_;
    std::uint64_t n = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - begin < 16)
      n = n * 10 + static_cast<std::uint64_t>(s_[i_++] - '0');
    const std::size_t digits = i_ - begin;
    if (digits == 0 || digits > 15 || (digits > 1 && s_[begin] == '0'))
      return std::nullopt;
    if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E'))
      return std::nullopt;
    return n;
  }
  bool null() {
    if (s_.substr(i_, 4) != "null")
      return false;
    i_ += 4;
    return true;
  }
  /// An ignored member's value: a string, a number or null (anything else gives up).
  bool skip() { return null() || (peek('"') ? string().has_value() : number().has_value()); }

  /// {"key":value,...}: `member(key)` reads each value and says whether it could.
  template <typename F> bool object(F&& member) {
    if (!take('{'))
      return false;
    if (take('}'))
      return true;
    do {
      auto key = string();
      if (!key || !take(':') || !member(*key))
        return false;
    } while (take(','));
    return take('}');
  }

private:
  std::string_view s_;
  std::size_t i_ = 0;
};

/// A string member no longer than `max`, or null; `seen` refuses a duplicate key.
bool optional_text(Reader& r, bool& seen, std::size_t max, std::optional<std::string>& out) {
  if (seen)
    return false;
  seen = true;
  if (r.null())
    return true;
  auto v = r.string();
  if (!v || v->size() > max)
    return false;
  out = std::string(*v);
  return true;
}

} // namespace

std::optional<msg::Signal> fast_candidate_signal(std::string_view frame, const Limits& limits) {
  // The full decoder's first checks: size, depth (this shape nests three objects), no NUL (a NUL
  // is a control character the string reader refuses, and outside strings nothing matches it).
  if (frame.size() > limits.max_frame_bytes || limits.max_json_depth < 3)
    return std::nullopt;
  Reader r(frame);
  msg::Signal m;
  bool type = false, seq = false, from = false, data = false;
  std::optional<Candidate> candidate;
  bool end_of_candidates = false;

  auto read_candidate = [&](Reader& c) {
    Candidate cand;
    bool text = false, mid = false, index = false, ufrag = false;
    const bool ok = c.object([&](std::string_view key) {
      if (key == "candidate") {
        std::optional<std::string> v;
        if (text || !optional_text(c, text, std::size_t{limits.max_candidate_bytes} + 1, v) || !v)
          return false;
        cand.candidate = std::move(*v);
        return true;
      }
      if (key == "sdpMid")
        return optional_text(c, mid, kMaxFieldBytes, cand.sdp_mid);
      if (key == "usernameFragment")
        return optional_text(c, ufrag, kMaxFieldBytes, cand.username_fragment);
      if (key == "sdpMLineIndex") {
        if (index)
          return false;
        index = true;
        if (c.null())
          return true;
        auto n = c.number();
        if (!n || *n > 65535)
          return false;
        cand.sdp_mline_index = static_cast<int>(*n);
        return true;
      }
      return c.skip();
    });
    if (!ok || !text)
      return false;
    candidate = std::move(cand);
    return true;
  };

  const bool ok = r.object([&](std::string_view key) {
    if (key == "type") {
      if (type)
        return false;
      type = true;
      auto v = r.string();
      return v && *v == "signal";
    }
    if (key == "seq") {
      if (seq)
        return false;
      seq = true;
      if (r.null())
        return true;
      auto n = r.number();
      if (!n || *n < 1 || *n > kMaxSeq)
        return false;
      m.seq = *n;
      return true;
    }
    if (key == "from") {
      if (from)
        return false;
      from = true;
      auto v = r.string();
      if (!v || v->size() > 64 || !validation::valid_peer_id(*v))
        return false;
      m.from = std::string(*v);
      return true;
    }
    if (key == "data") {
      if (data)
        return false;
      data = true;
      bool has_candidate = false;
      return r.object([&](std::string_view inner) {
        if (inner == "candidate") {
          if (has_candidate)
            return false;
          has_candidate = true;
          if (r.null())
            return end_of_candidates = true;
          return read_candidate(r);
        }
        // A description (which the full decoder prefers) or anything nested: not ours.
        return inner != "description" && r.skip();
      });
    }
    return r.skip();
  });
  if (!ok || !r.done() || !type || !from || !data || (!candidate && !end_of_candidates))
    return std::nullopt;
  if (end_of_candidates) {
    m.payload = EndOfCandidates{};
  } else {
    m.payload = std::move(*candidate);
  }
  if (validation::check_payload(m.payload, limits))
    return std::nullopt;
  return m;
}

} // namespace rtc_signaling::dialects::native

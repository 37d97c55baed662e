#include "validation.hpp"

#include <cstdint>

namespace rtc_signaling::validation {
namespace {

// Bounds for fields §3.4 does not list; generous, but they keep one frame from holding megabytes
// in a field nobody reads.
constexpr std::size_t kMaxMidBytes = 256;
constexpr std::size_t kMaxUfragBytes = 256;
constexpr int kMaxMLineIndex = 65535;

bool is_id_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

} // namespace

bool json_depth_within(std::string_view text, std::size_t max_depth) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
    case '"':
      in_string = true;
      break;
    case '[':
    case '{':
      if (++depth > max_depth)
        return false;
      break;
    case ']':
    case '}':
      if (depth > 0)
        --depth;
      break;
    default:
      break;
    }
  }
  return true;
}

bool valid_peer_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id) {
    if (!is_id_char(c))
      return false;
  }
  return true;
}

namespace {

/// Length of the valid UTF-8 sequence starting at text[i], or 0 when none starts there.
std::size_t sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto b = static_cast<unsigned char>(text[i]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b < 0x80) {
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    len = 2;
    cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3;
    cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4;
    cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size())
    return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto cb = static_cast<unsigned char>(text[i + k]);
    if ((cb & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (cb & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    return 0;
  }
  return len;
}

} // namespace

bool valid_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = sequence_length(text, i);
    if (len == 0)
      return false;
    i += len;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text) {
  if (valid_utf8(text))
    return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = sequence_length(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

void make_valid_utf8(SignalPayload& p) {
  auto fix = [](std::string& s) {
    if (!valid_utf8(s))
      s = to_valid_utf8(s);
  };
  if (auto* d = std::get_if<Description>(&p)) {
    fix(d->type);
    fix(d->sdp);
  } else if (auto* c = std::get_if<Candidate>(&p)) {
    fix(c->candidate);
    if (c->sdp_mid)
      fix(*c->sdp_mid);
    if (c->username_fragment)
      fix(*c->username_fragment);
  }
}

Problem check_name(std::string_view name, const Limits& limits) {
  if (name.size() > limits.max_name_bytes) {
    return "name longer than " + std::to_string(limits.max_name_bytes) + " bytes";
  }
  if (!valid_utf8(name))
    return std::string("name is not UTF-8");
  return std::nullopt;
}

std::string truncate_utf8(std::string_view name, std::size_t max_bytes) {
  if (name.size() <= max_bytes)
    return std::string(name);
  std::size_t cut = max_bytes;
  // Step back over continuation bytes so the cut lands on the start of a code point.
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80)
    --cut;
  return std::string(name.substr(0, cut));
}

Problem check_description(const Description& d, const Limits& limits) {
  const bool rollback = d.type == "rollback";
  if (d.type != "offer" && d.type != "answer" && d.type != "pranswer" && !rollback) {
    return "unknown description type";
  }
  if (d.sdp.size() > limits.max_sdp_bytes) {
    return "sdp longer than " + std::to_string(limits.max_sdp_bytes) + " bytes";
  }
  if (rollback && d.sdp.empty())
    return std::nullopt;
  if (d.sdp.rfind("v=0", 0) != 0)
    return std::string("sdp must start with v=0");
  std::size_t pos = 0;
  while (pos < d.sdp.size()) {
    std::size_t end = d.sdp.find('\n', pos);
    const bool last = end == std::string::npos;
    if (last)
      end = d.sdp.size();
    std::string_view line(d.sdp.data() + pos, end - pos);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    const bool trailing = last && line.empty();
    if (!trailing) {
      if (line.size() < 2 || line[0] < 'a' || line[0] > 'z' || line[1] != '=') {
        return std::string("sdp line is not x=...");
      }
      for (char c : line) {
        if (c == '\r' || c == '\0')
          return std::string("sdp line contains a control character");
      }
    }
    pos = end + 1;
  }
  return std::nullopt;
}

Problem check_candidate(const Candidate& c, const Limits& limits) {
  if (c.candidate.size() > limits.max_candidate_bytes) {
    return "candidate longer than " + std::to_string(limits.max_candidate_bytes) + " bytes";
  }
  if (!c.candidate.empty() && c.candidate.rfind("candidate:", 0) != 0) {
    return std::string("candidate must start with candidate:");
  }
  if (c.sdp_mid && c.sdp_mid->size() > kMaxMidBytes)
    return std::string("sdpMid too long");
  if (c.sdp_mline_index && (*c.sdp_mline_index < 0 || *c.sdp_mline_index > kMaxMLineIndex)) {
    return std::string("sdpMLineIndex out of range");
  }
  if (c.username_fragment && c.username_fragment->size() > kMaxUfragBytes) {
    return std::string("usernameFragment too long");
  }
  return std::nullopt;
}

Problem check_payload(const SignalPayload& p, const Limits& limits) {
  if (const auto* d = std::get_if<Description>(&p))
    return check_description(*d, limits);
  if (const auto* c = std::get_if<Candidate>(&p))
    return check_candidate(*c, limits);
  return std::nullopt;
}

} // namespace rtc_signaling::validation

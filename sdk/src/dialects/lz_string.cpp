#include "dialects/lz_string.hpp"

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace rtc_signaling::dialects::lz {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
constexpr int kBitsPerSymbol = 6;

int symbol_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == ' ') return 62;
  if (c == '-') return 63;
  if (c == '$') return 64; // lz-string's alphabet has 65 symbols; '$' only ever pads
  return -1;
}

using Units = std::vector<std::uint16_t>;

Units to_utf16(std::string_view s) {
  Units out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = b;
    std::size_t n = 1;
    if (b >= 0xF0) { cp = b & 0x07; n = 4; }
    else if (b >= 0xE0) { cp = b & 0x0F; n = 3; }
    else if (b >= 0xC0) { cp = b & 0x1F; n = 2; }
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<std::uint16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<std::uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  return out;
}

std::optional<std::string> to_utf8(const Units& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::uint32_t cp = s[i];
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i + 1 >= s.size() || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF) return std::nullopt;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (s[++i] - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return std::nullopt;
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

/// Codes go out least significant bit first, each bit shifted into the current symbol.
class BitWriter {
public:
  void put(std::uint32_t value, int bits) {
    for (int i = 0; i < bits; ++i) {
      acc_ = (acc_ << 1) | (value & 1);
      value >>= 1;
      if (++filled_ == kBitsPerSymbol) {
        out_.push_back(kAlphabet[acc_]);
        acc_ = 0;
        filled_ = 0;
      }
    }
  }
  /// lz-string pads the last symbol with zero bits and always writes it, even an empty one.
  std::string finish() {
    for (;;) {
      acc_ <<= 1;
      if (filled_ == kBitsPerSymbol - 1) {
        out_.push_back(kAlphabet[acc_]);
        break;
      }
      ++filled_;
    }
    return std::move(out_);
  }

private:
  std::string out_;
  std::uint32_t acc_ = 0;
  int filled_ = 0;
};

class BitReader {
public:
  explicit BitReader(std::string_view text) : text_(text) {}
  /// False once a symbol outside the alphabet was read.
  bool ok() const { return ok_; }
  /// lz-string stops reading once it has consumed every symbol (its `index > length` check).
  bool exhausted() const { return index_ > text_.size(); }
  std::uint32_t get(int bits) {
    std::uint32_t value = 0;
    for (int i = 0; i < bits; ++i) {
      if (mask_ == 0) load();
      if (current_ & mask_) value |= 1u << i;
      mask_ >>= 1;
    }
    return value;
  }

private:
  void load() {
    int v = 0; // past the end lz-string reads zeros
    if (index_ < text_.size()) {
      v = symbol_value(text_[index_]);
      if (v < 0) {
        ok_ = false;
        v = 0;
      }
    }
    ++index_;
    current_ = static_cast<std::uint32_t>(v);
    mask_ = 1u << (kBitsPerSymbol - 1);
  }
  std::string_view text_;
  std::size_t index_ = 0;
  std::uint32_t current_ = 0;
  std::uint32_t mask_ = 0;
  bool ok_ = true;
};

} // namespace

std::string compress_uri(std::string_view utf8) {
  const Units input = to_utf16(utf8);
  // One table: a single character c under kChar | c, a phrase "w then c" under code(w) << 16 | c.
  // A character's entry carries kUnannounced until its literal went out. Codes 0, 1 and 2 mean
  // an 8-bit literal follows, a 16-bit literal follows, the end.
  constexpr std::uint64_t kChar = std::uint64_t{1} << 63;
  constexpr std::uint32_t kUnannounced = 1u << 31;
  std::map<std::uint64_t, std::uint32_t> dict;
  std::uint32_t next_code = 3;
  std::uint32_t enlarge_in = 2;
  int width = 2;
  BitWriter out;

  auto count_down = [&] {
    if (--enlarge_in == 0) {
      enlarge_in = 1u << width;
      ++width;
    }
  };
  // Emits the phrase w (its entry `code`, last character `ch` if it is a single character).
  auto emit = [&](std::uint32_t& code, std::uint16_t ch) {
    if (code & kUnannounced) {
      code &= ~kUnannounced;
      const bool narrow = ch < 256;
      out.put(narrow ? 0 : 1, width);
      out.put(ch, narrow ? 8 : 16);
      count_down();
    } else {
      out.put(code, width);
    }
    count_down();
  };

  std::uint32_t* w = nullptr; // w's entry in the table (map nodes stay put)
  std::uint16_t w_char = 0;
  for (std::uint16_t c : input) {
    auto single = dict.emplace(kChar | c, next_code | kUnannounced);
    if (single.second)
      ++next_code;
    if (!w) {
      w = &single.first->second;
      w_char = c;
      continue;
    }
    const std::uint64_t key = (std::uint64_t{*w & ~kUnannounced} << 16) | c;
    if (auto it = dict.find(key); it != dict.end()) {
      w = &it->second;
      continue;
    }
    emit(*w, w_char);
    dict.emplace(key, next_code++);
    w = &single.first->second;
    w_char = c;
  }
  if (w)
    emit(*w, w_char);
  out.put(2, width);
  return out.finish();
}

std::optional<std::string> decompress_uri(std::string_view text, std::size_t max_units) {
  if (text.empty())
    return std::nullopt;
  BitReader in(text);
  // Every dictionary entry is a stretch of the output, packed as start << 32 | length; codes
  // 0-2 are markers.
  auto pack = [](std::size_t start, std::size_t length) {
    return (std::uint64_t{start} << 32) | length;
  };
  auto start_of = [](std::uint64_t e) { return static_cast<std::size_t>(e >> 32); };
  auto length_of = [](std::uint64_t e) { return static_cast<std::size_t>(e & 0xFFFFFFFFu); };
  std::vector<std::uint64_t> dict(3, 0);
  Units out;
  std::uint32_t enlarge_in = 4;
  int width = 3;

  auto grow = [&] {
    if (enlarge_in == 0) {
      enlarge_in = 1u << width;
      ++width;
    }
  };
  /// Appends an 8- or 16-bit literal as a new entry of its own.
  auto literal = [&](std::uint32_t kind) -> bool {
    const std::uint32_t ch = in.get(kind == 0 ? 8 : 16);
    if (out.size() + 1 > max_units) return false;
    dict.push_back(pack(out.size(), 1));
    out.push_back(static_cast<std::uint16_t>(ch));
    return true;
  };
  /// Appends out[start, start + length) to out; the range may run into what it appends.
  auto repeat = [&](std::size_t start, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i)
      out.push_back(out[start + i]);
  };

  const std::uint32_t first = in.get(2);
  if (first == 2 || !literal(first) || !in.ok())
    return std::nullopt;
  // w is always the stretch appended last, so "w + the next entry's first character" is w
  // grown by one.
  std::uint64_t w = dict.back();
  for (;;) {
    if (in.exhausted())
      return std::nullopt;
    const std::uint32_t code = in.get(width);
    if (!in.ok())
      return std::nullopt;
    if (code == 2)
      break;
    std::uint64_t entry = 0;
    if (code < 2) {
      if (!literal(code))
        return std::nullopt;
      entry = dict.back();
      --enlarge_in;
      grow();
    } else if (code <= dict.size()) {
      // code == dict.size(): w followed by its own first character.
      const std::uint64_t known = code < dict.size() ? dict[code] : pack(start_of(w), length_of(w) + 1);
      if (out.size() + length_of(known) > max_units)
        return std::nullopt;
      entry = pack(out.size(), length_of(known));
      repeat(start_of(known), length_of(known));
    } else {
      return std::nullopt;
    }
    dict.push_back(pack(start_of(w), length_of(w) + 1));
    --enlarge_in;
    w = entry;
    grow();
  }
  return to_utf8(out);
}

} // namespace rtc_signaling::dialects::lz

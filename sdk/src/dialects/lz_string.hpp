// lz-string's URI-safe encoding (`compressToEncodedURIComponent` / `decompressFromEncodedURIComponent`
// of the npm package lz-string), which SnapRTC clients wrap their signals in. Written here from the
// format: LZW over UTF-16 code units, codes of a growing bit width packed into 6-bit symbols of
// "A-Za-z0-9+-$". Text is UTF-8 on our side, UTF-16 in the format, so both directions convert.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rtc_signaling::dialects::lz {

/// `utf8` must be valid UTF-8 (every payload we send is).
std::string compress_uri(std::string_view utf8);

/// nullopt when `text` is not lz-string (a symbol outside the alphabet, a code that names no
/// dictionary entry, no end marker), when the result would exceed `max_units` UTF-16 code units
/// (bounding a decompression bomb before it allocates), or when it is not valid UTF-16.
/// As in lz-string, a space reads as '+' (a URL decoder turned it into one).
std::optional<std::string> decompress_uri(std::string_view text, std::size_t max_units);

} // namespace rtc_signaling::dialects::lz

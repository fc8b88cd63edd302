#include "core/text_escape.h"

#include <cstdint>

namespace faultline {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the well-formed UTF-8 sequence at text[i] (1..4), or 0 for a byte that starts none.
std::size_t utf8Length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(i);
  std::size_t length = 0;
  uint8_t lo = 0x80, hi = 0xbf;  // the allowed range of the second byte (RFC 3629 table 3-7)
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) lo = 0xa0;
    if (lead == 0xed) hi = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) lo = 0x90;
    if (lead == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return length;
}

bool isC1(std::string_view text, std::size_t i) {
  return static_cast<uint8_t>(text[i]) == 0xc2 && static_cast<uint8_t>(text[i + 1]) <= 0x9f;
}

void appendHex(std::string& out, const char* prefix, uint8_t value) {
  out += prefix;
  out += kHex[value >> 4];
  out += kHex[value & 0x0f];
}

}  // namespace

bool isPrintable(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      ++i;
      continue;
    }
    const std::size_t length = c >= 0x80 ? utf8Length(text, i) : 0;
    if (length == 0 || (length == 2 && isC1(text, i))) return false;
    i += length;
  }
  return true;
}

std::string escapeControls(std::string_view text) {
  if (isPrintable(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else {
        appendHex(out, "\\x", c);
      }
      ++i;
      continue;
    }
    const std::size_t length = utf8Length(text, i);
    if (length == 0) {
      appendHex(out, "\\x", c);
      ++i;
    } else if (length == 2 && isC1(text, i)) {
      appendHex(out, "\\u00", static_cast<uint8_t>(text[i + 1]));
      i += 2;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace faultline

#pragma once

#include <string>

namespace faultline::scenario {

// Text for an XML or HTML attribute or element (the JUnit file and the HTML report): the five
// markup characters escaped, and the control characters XML 1.0 cannot carry even escaped dropped.
inline std::string markupEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
    }
  }
  return out;
}

}  // namespace faultline::scenario

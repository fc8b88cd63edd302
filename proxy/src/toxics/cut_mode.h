#pragma once

#include <optional>
#include <string_view>

namespace faultline {

// How a cut ends a connection, for the `cut` toxic and http_reset alike (`mode` attribute).
enum class CutMode {
  kReset,  // RST towards both peers
  kClose,  // FIN towards both peers once what passed before the cut is written
  kHang,   // nothing moves any more, both sockets stay open: an unplugged cable
};

const char* cutModeName(CutMode mode);
std::optional<CutMode> parseCutMode(std::string_view text);

}  // namespace faultline

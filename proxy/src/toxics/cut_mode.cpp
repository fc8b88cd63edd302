#include "toxics/cut_mode.h"

namespace faultline {

const char* cutModeName(CutMode mode) {
  switch (mode) {
    case CutMode::kReset: return "reset";
    case CutMode::kClose: return "close";
    case CutMode::kHang: return "hang";
  }
  return "reset";
}

std::optional<CutMode> parseCutMode(std::string_view text) {
  for (auto mode : {CutMode::kReset, CutMode::kClose, CutMode::kHang}) {
    if (text == cutModeName(mode)) return mode;
  }
  return std::nullopt;
}

}  // namespace faultline

#include "core/log_escape.h"

#include <spdlog/pattern_formatter.h>

#include <string_view>

#include "core/text_escape.h"

namespace faultline {

namespace {

class EscapedPayload final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (isPrintable(payload)) {
      dest.append(payload.data(), payload.data() + payload.size());
      return;
    }
    const std::string escaped = escapeControls(payload);
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedPayload>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> escapingLogFormatter(const std::string& pattern) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<EscapedPayload>('*').set_pattern(pattern);
  return formatter;
}

}  // namespace faultline

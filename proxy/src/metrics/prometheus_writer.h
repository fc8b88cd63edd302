#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faultline {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Prometheus text exposition format 0.0.4: one family at a time, HELP and TYPE first, label
// values escaped (backslash, double quote, newline).
class PrometheusWriter {
 public:
  // type: "counter" or "gauge".
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const MetricLabels& labels, double value);
  void sample(std::string_view name, const MetricLabels& labels, uint64_t value);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

  static std::string escapeLabelValue(std::string_view value);
  static std::string escapeHelp(std::string_view help);

 private:
  void labels(const MetricLabels& labels);
  std::string out_;
};

}  // namespace faultline

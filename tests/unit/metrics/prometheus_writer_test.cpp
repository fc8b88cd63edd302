#include "metrics/prometheus_writer.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

TEST(PrometheusWriter, WritesHelpAndTypeBeforeSamples) {
  PrometheusWriter w;
  w.family("x_total", "counter", "Things counted");
  w.sample("x_total", {{"a", "1"}}, uint64_t{3});
  EXPECT_EQ(w.text(), "# HELP x_total Things counted\n# TYPE x_total counter\nx_total{a=\"1\"} 3\n");
}

TEST(PrometheusWriter, EscapesBackslashQuoteAndNewlineInLabelValues) {
  PrometheusWriter w;
  w.sample("m", {{"v", "a\\b\"c\nd"}}, uint64_t{1});
  EXPECT_EQ(w.text(), "m{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(PrometheusWriter, OmitsBracesWithoutLabels) {
  PrometheusWriter w;
  w.sample("m", {}, 0.5);
  EXPECT_EQ(w.text(), "m 0.5\n");
}

TEST(PrometheusWriter, WritesTheShortestDigitsThatReadBackExactly) {
  PrometheusWriter w;
  w.sample("s", {}, 300.0 / 1000.0);
  w.sample("s", {}, 3 * 0.1);  // not the double nearest 0.3: it needs all 17 digits
  EXPECT_EQ(w.text(), "s 0.3\ns 0.30000000000000004\n");
}

TEST(PrometheusWriter, EscapesNewlinesInHelp) {
  PrometheusWriter w;
  w.family("m", "gauge", "two\nlines");
  EXPECT_EQ(w.text(), "# HELP m two\\nlines\n# TYPE m gauge\n");
}

}  // namespace
}  // namespace faultline

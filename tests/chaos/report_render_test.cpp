// The scenario runner's HTML report, rendered by headless Chromium (no scripts in the page, no
// network): every chart is in the rendered DOM, and each one has something drawn in it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>

#include "scenario/html_report.h"

namespace faultline::scenario {
namespace {

// A made-up run: the partner fails from 4 s to 8 s, the protected path degrades and its breaker opens.
ScenarioResult sampleRun() {
  ScenarioResult run;
  run.scenario = "outage";
  run.description = "partner resets every connection for a while, then recovers";
  run.settings = "load 10/s for 12 s per variant";
  for (const std::string path : {"unprotected", "protected"}) {
    VariantResult phase;
    phase.name = path;
    phase.duration_s = 12;
    phase.windows.push_back({4, 8, "partner: reset_peer"});
    for (int i = 0; i < 120; ++i) {
      const double t = i / 10.0;
      const bool fault = t >= 4 && t < 8;
      Outcome outcome = !fault ? Outcome::kOk : path == "protected" ? Outcome::kDegraded : Outcome::kServerError;
      phase.requests.push_back({t, fault ? 5.0 + i % 7 : 40.0 + i % 60, outcome, 200, 1, ""});
    }
    Series rss{"server RSS MiB", "resident memory of the server", {}, false, std::nullopt};
    Series breaker{"breaker state", "0 closed, 1 open, 2 half-open", {}, false, std::nullopt};
    for (int i = 0; i < 24; ++i) {
      const double t = i / 2.0;
      rss.points.emplace_back(t, 12.0 + i * 0.25);
      breaker.points.emplace_back(t, path == "protected" && t >= 4.5 && t < 8.5 ? 1 : 0);
    }
    phase.series = {rss, breaker};
    run.variants.push_back(phase);
  }
  return run;
}

std::string runCommand(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  ::pclose(pipe);
  return output;
}

class ReportRender : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(FAULTLINE_CHROMIUM).empty()) GTEST_SKIP() << "chromium is not installed";
    char tmpl[] = "/tmp/faultline-report-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string file = dir_ + "/report.html";
    std::ofstream(file) << renderHtmlReport(sampleRun());
    // `timeout` bounds the browser: a hang fails the test instead of stalling CI.
    dom_ = runCommand("timeout 90 " + std::string(FAULTLINE_CHROMIUM) +
                      " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
                      " --disable-sync --no-first-run --user-data-dir=" + dir_ + "/profile --dump-dom file://" + file +
                      " 2>/dev/null");
  }
  void TearDown() override {
    if (!dir_.empty()) (void)std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  std::string dir_;
  std::string dom_;
};

TEST_F(ReportRender, RendersEveryChartForBothPaths) {
  for (const std::string chart : {"outcomes", "latency", "series"}) {
    for (const std::string phase : {"unprotected", "protected"}) {
      const std::regex svg("<svg[^>]*data-chart=\"" + chart + "\" data-phase=\"" + phase + "\" data-points=\"([0-9]+)\"");
      std::smatch match;
      ASSERT_TRUE(std::regex_search(dom_, match, svg)) << chart << "/" << phase << " missing from the rendered page";
      EXPECT_GT(std::stoi(match[1]), 0) << chart << "/" << phase << " has nothing drawn";
    }
  }
}

TEST_F(ReportRender, DrawsBarsLinesAndShadedFaultWindows) {
  EXPECT_NE(dom_.find("class=\"bar\""), std::string::npos);
  EXPECT_NE(dom_.find("class=\"line p99\""), std::string::npos);
  EXPECT_NE(dom_.find("class=\"line series\""), std::string::npos);
  EXPECT_NE(dom_.find("class=\"fault\""), std::string::npos);
  EXPECT_NE(dom_.find("Faultline scenario: outage"), std::string::npos);
}

TEST_F(ReportRender, LoadsNothingFromTheNetwork) {
  ASSERT_FALSE(dom_.empty());
  for (const std::string marker : {"<script", "src=\"http", "href=\"http", "@import", "url(http"}) {
    EXPECT_EQ(dom_.find(marker), std::string::npos) << "the report references " << marker;
  }
}

}  // namespace
}  // namespace faultline::scenario

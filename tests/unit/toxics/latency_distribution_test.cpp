#include "toxics/latency_distribution.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "support/fake_toxic_context.h"
#include "toxics/latency_toxic.h"

namespace faultline {
namespace {

using std::chrono::milliseconds;

double asMs(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// 500 delays measured from outside the stage: each chunk goes in alone, and its delay is read
// off the fake clock when it comes out.
std::vector<double> measureDelays(LatencyToxic::Params params, uint64_t seed) {
  FakeToxicContext ctx(seed);
  LatencyToxic toxic(params);
  std::vector<double> delays;
  for (int i = 0; i < 500; ++i) {
    const TimePoint sent = ctx.now();
    ctx.push(toxic, "s");
    ctx.runAllTimers();
    EXPECT_EQ(ctx.forwarded().size(), static_cast<std::size_t>(i + 1));
    delays.push_back(asMs(ctx.forwardedAt().back() - sent));
    // The next chunk arrives after this one left, so order-keeping never lifts a delay.
    ctx.advance(milliseconds(1));
  }
  std::sort(delays.begin(), delays.end());
  return delays;
}

// Nearest-rank percentile of sorted samples.
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

LatencyToxic::Params tail(DistributionKind kind, int64_t median_ms, int64_t p99_ms) {
  LatencyToxic::Params params;
  params.distribution = kind;
  params.latency = milliseconds(median_ms);
  params.p99 = milliseconds(p99_ms);
  return params;
}

TEST(LatencyDistribution, ParsesTheFourNamesAndNothingElse) {
  EXPECT_EQ(parseDistribution("uniform"), DistributionKind::kUniform);
  EXPECT_EQ(parseDistribution("normal"), DistributionKind::kNormal);
  EXPECT_EQ(parseDistribution("lognormal"), DistributionKind::kLognormal);
  EXPECT_EQ(parseDistribution("pareto"), DistributionKind::kPareto);
  EXPECT_FALSE(parseDistribution("Pareto"));
  EXPECT_FALSE(parseDistribution(""));
  for (auto kind : {DistributionKind::kUniform, DistributionKind::kNormal, DistributionKind::kLognormal,
                    DistributionKind::kPareto}) {
    EXPECT_EQ(parseDistribution(distributionName(kind)), kind);
  }
}

TEST(LatencyDistribution, LognormalHitsItsMedianAndP99Within15Percent) {
  const auto delays = measureDelays(tail(DistributionKind::kLognormal, 100, 400), 1);
  EXPECT_NEAR(percentile(delays, 0.50), 100.0, 15.0);
  EXPECT_NEAR(percentile(delays, 0.99), 400.0, 60.0);
}

TEST(LatencyDistribution, ParetoHitsItsMedianAndP99Within15Percent) {
  const auto delays = measureDelays(tail(DistributionKind::kPareto, 50, 1000), 2);
  EXPECT_NEAR(percentile(delays, 0.50), 50.0, 7.5);
  EXPECT_NEAR(percentile(delays, 0.99), 1000.0, 150.0);
  // Pareto's support starts at its scale, just below the median: no delay near zero.
  EXPECT_GE(delays.front(), 50.0 / std::pow(2.0, std::log(20.0) / std::log(50.0)) - 0.01);
}

TEST(LatencyDistribution, NormalHasMeanLatencyAndStandardDeviationJitter) {
  LatencyToxic::Params params;
  params.distribution = DistributionKind::kNormal;
  params.latency = milliseconds(200);
  params.jitter = milliseconds(30);
  const auto delays = measureDelays(params, 3);
  double sum = 0, sq = 0;
  for (double d : delays) sum += d;
  const double mean = sum / static_cast<double>(delays.size());
  for (double d : delays) sq += (d - mean) * (d - mean);
  const double sd = std::sqrt(sq / static_cast<double>(delays.size() - 1));
  EXPECT_NEAR(mean, 200.0, 30.0 * 0.15);
  EXPECT_NEAR(sd, 30.0, 30.0 * 0.15);
  // Normal, not uniform: some draws beyond one jitter either side, which uniform never gives.
  EXPECT_LT(delays.front(), 200.0 - 30.0);
  EXPECT_GT(delays.back(), 200.0 + 30.0);
}

TEST(LatencyDistribution, NeverNegativeEvenWhenTheSpreadDwarfsTheMean) {
  LatencyToxic::Params params;
  params.distribution = DistributionKind::kNormal;
  params.latency = milliseconds(5);
  params.jitter = milliseconds(100);
  LatencyDistribution distribution({params.distribution, params.latency, params.jitter, params.p99});
  Random random(9);
  int zeros = 0;
  for (int i = 0; i < 2000; ++i) {
    const Duration d = distribution.sample(random);
    ASSERT_GE(d, Duration::zero());
    zeros += d == Duration::zero();
  }
  EXPECT_GT(zeros, 500);  // about half the draws fall below zero and are clamped
}

TEST(LatencyDistribution, UniformIsTheDefaultAndKeepsToxiproxysJitterBounds) {
  LatencyDistribution distribution({DistributionKind::kUniform, milliseconds(100), milliseconds(20), milliseconds(0)});
  Random random(5);
  for (int i = 0; i < 1000; ++i) {
    const Duration d = distribution.sample(random);
    ASSERT_GE(d, milliseconds(80));
    ASSERT_LE(d, milliseconds(120));
  }
  EXPECT_EQ(LatencyToxic::Params{}.distribution, DistributionKind::kUniform);
}

TEST(LatencyDistribution, TailWithoutAP99AboveTheMedianIsAConstantDelay) {
  Random random(4);
  LatencyDistribution no_p99({DistributionKind::kPareto, milliseconds(80), milliseconds(0), milliseconds(0)});
  LatencyDistribution p99_below({DistributionKind::kLognormal, milliseconds(80), milliseconds(0), milliseconds(50)});
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(no_p99.sample(random), milliseconds(80));
    EXPECT_EQ(p99_below.sample(random), milliseconds(80));
  }
}

TEST(LatencyDistribution, SameSeedSameDelays) {
  const auto a = measureDelays(tail(DistributionKind::kPareto, 20, 300), 77);
  const auto b = measureDelays(tail(DistributionKind::kPareto, 20, 300), 77);
  EXPECT_EQ(a, b);
}

TEST(LatencyDistribution, LongTailNeverReordersChunksWithinALink) {
  FakeToxicContext ctx(12);
  LatencyToxic toxic(tail(DistributionKind::kPareto, 10, 500));
  std::string sent;
  for (int i = 0; i < 2000; ++i) {
    std::string piece = std::to_string(i) + ",";
    sent += piece;
    ctx.push(toxic, piece);
    ctx.advance(milliseconds(1));
  }
  ctx.runAllTimers();
  EXPECT_EQ(ctx.forwardedBytes(), sent);
  EXPECT_TRUE(std::is_sorted(ctx.forwardedAt().begin(), ctx.forwardedAt().end()));
}

}  // namespace
}  // namespace faultline

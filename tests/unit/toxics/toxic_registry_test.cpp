#include "toxics/toxic_registry.h"

#include <gtest/gtest.h>

#include <set>

#include "support/fake_toxic_context.h"
#include "toxics/bandwidth_toxic.h"
#include "toxics/corrupt_toxic.h"
#include "toxics/cut_toxic.h"
#include "toxics/latency_toxic.h"
#include "toxics/limit_data_toxic.h"
#include "toxics/reset_peer_toxic.h"
#include "toxics/slicer_toxic.h"
#include "toxics/slow_close_toxic.h"
#include "toxics/tcp_loss_toxic.h"
#include "toxics/timeout_toxic.h"

namespace faultline {
namespace {

ToxicSpec latencySpec(double toxicity) {
  ToxicInput input;
  input.type = "latency";
  input.toxicity = toxicity;
  input.attributes = {{"latency", 1000}};
  auto spec = buildToxicSpec(input);
  EXPECT_TRUE(spec.ok());
  return *spec;
}

TEST(ToxicRegistry, ListsEveryToxiproxyTcpToxic) {
  std::set<std::string> names;
  for (const auto& type : toxicTypes()) names.insert(type.name);
  // Toxiproxy's own TCP toxics, noop included (clients add it as a marker); ours come on top.
  for (const char* name :
       {"latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data", "noop"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
  EXPECT_EQ(findToxicType("nope"), nullptr);
}

TEST(ToxicRegistry, ListsTheTcpFaultsOfIssue14) {
  for (const char* type : {"cut", "tcp_loss", "corrupt"}) EXPECT_NE(findToxicType(type), nullptr) << type;
}

TEST(ToxicRegistry, EachTypeBuildsItsOwnToxicClass) {
  Random random(1);
  auto build = [&](const char* type) {
    ToxicInput input;
    input.type = type;
    auto spec = buildToxicSpec(input);
    EXPECT_TRUE(spec.ok()) << type;
    return createToxicStage(*spec, random);
  };
  EXPECT_NE(dynamic_cast<LatencyToxic*>(build("latency").get()), nullptr);
  EXPECT_NE(dynamic_cast<BandwidthToxic*>(build("bandwidth").get()), nullptr);
  EXPECT_NE(dynamic_cast<SlowCloseToxic*>(build("slow_close").get()), nullptr);
  EXPECT_NE(dynamic_cast<TimeoutToxic*>(build("timeout").get()), nullptr);
  EXPECT_NE(dynamic_cast<ResetPeerToxic*>(build("reset_peer").get()), nullptr);
  EXPECT_NE(dynamic_cast<SlicerToxic*>(build("slicer").get()), nullptr);
  EXPECT_NE(dynamic_cast<LimitDataToxic*>(build("limit_data").get()), nullptr);
  EXPECT_NE(dynamic_cast<CutToxic*>(build("cut").get()), nullptr);
  EXPECT_NE(dynamic_cast<TcpLossToxic*>(build("tcp_loss").get()), nullptr);
  EXPECT_NE(dynamic_cast<CorruptToxic*>(build("corrupt").get()), nullptr);
}

TEST(ToxicRegistry, TcpLossDefaultsToA200MsRtoAndSingleLosses) {
  ToxicInput input;
  input.type = "tcp_loss";
  input.attributes = {{"percent", 5}};
  auto spec = buildToxicSpec(input);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->attr("rto_ms"), 200);
  EXPECT_EQ(spec->attr("burst"), 1);
  input.attributes = {{"percent", 101}};
  auto bad = buildToxicSpec(input);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("attributes.percent"), std::string::npos) << bad.error().message;
}

TEST(ToxicRegistry, ToxicityZeroNeverFires) {
  Random random(5);
  const ToxicSpec spec = latencySpec(0.0);
  for (int i = 0; i < 1000; ++i) {
    auto stage = createToxicStage(spec, random);
    FakeToxicContext ctx;
    ctx.push(*stage, "x");
    ASSERT_EQ(ctx.forwardedBytes(), "x") << "roll " << i;
  }
}

TEST(ToxicRegistry, ToxicityOneAlwaysFires) {
  Random random(5);
  const ToxicSpec spec = latencySpec(1.0);
  for (int i = 0; i < 1000; ++i) {
    auto stage = createToxicStage(spec, random);
    FakeToxicContext ctx;
    ctx.push(*stage, "x");
    ASSERT_TRUE(ctx.forwarded().empty()) << "roll " << i;
  }
}

TEST(ToxicRegistry, ToxicityHalfFiresOnRoughlyHalfTheLinks) {
  Random random(9);
  const ToxicSpec spec = latencySpec(0.5);
  int fired = 0;
  for (int i = 0; i < 2000; ++i) {
    if (dynamic_cast<LatencyToxic*>(createToxicStage(spec, random).get()) != nullptr) ++fired;
  }
  EXPECT_GT(fired, 850);
  EXPECT_LT(fired, 1150);
}

}  // namespace
}  // namespace faultline

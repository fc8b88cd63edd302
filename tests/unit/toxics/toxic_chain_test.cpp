#include "toxics/toxic_chain.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/fake_chain_sink.h"
#include "toxics/toxic_registry.h"
#include "toxics/toxic_spec.h"

namespace faultline {
namespace {

ToxicSpecPtr spec(const std::string& name, const std::string& type, std::map<std::string, int64_t> attributes = {},
                  double toxicity = 1.0) {
  ToxicInput input;
  input.name = name;
  input.type = type;
  input.toxicity = toxicity;
  input.attributes = std::move(attributes);
  auto built = buildToxicSpec(input);
  EXPECT_TRUE(built.ok()) << (built.ok() ? "" : built.error().message);
  return std::make_shared<const ToxicSpec>(built.value());
}

Chunk chunkOf(const std::string& bytes, const FakeChainSink& sink) {
  return Chunk::copyOf(bytes.data(), bytes.size(), sink.now());
}

// Numbered, fixed-width values, so a lost, duplicated or reordered one shows in the text.
std::string value(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08d;", i);
  return buf;
}

TEST(ToxicChain, WithoutStagesPassesBytesAndTheEndStraightToTheSink) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({});
  chain.push(chunkOf("hello ", sink));
  chain.push(chunkOf("world", sink));
  chain.end();
  EXPECT_EQ(sink.written(), "hello world");
  EXPECT_EQ(sink.ends(), 1);
  EXPECT_EQ(chain.bufferedBytes(), 0u);
  EXPECT_EQ(chain.wantedInFlight(), 0u);
}

TEST(ToxicChain, ReportsEachStageBuiltAndWhetherItsRollWon) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({spec("on", "latency", {{"latency", 10}}), spec("off", "latency", {{"latency", 10}}, 0.0)});
  ASSERT_EQ(sink.built().size(), 2u);
  EXPECT_EQ(sink.built()[0].name, "on");
  EXPECT_TRUE(sink.built()[0].applied);
  EXPECT_EQ(sink.built()[1].name, "off");
  EXPECT_FALSE(sink.built()[1].applied);
  EXPECT_TRUE(chain.stageInfo(0).applied);
  EXPECT_FALSE(chain.stageInfo(1).applied);
}

TEST(ToxicChain, LatencyHoldsBytesCountsThemAndReleasesThemOnTime) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({spec("lat", "latency", {{"latency", 100}})});
  chain.push(chunkOf("abcd", sink));
  EXPECT_EQ(sink.written(), "");
  EXPECT_EQ(chain.bufferedBytes(), 4u);
  EXPECT_EQ(chain.heldChunks(), 1u);
  sink.advance(Millis(99));
  EXPECT_EQ(sink.written(), "");
  sink.advance(Millis(1));
  EXPECT_EQ(sink.written(), "abcd");
  EXPECT_EQ(chain.bufferedBytes(), 0u);
}

TEST(ToxicChain, RemovedStageHandsItsChunksOnAndItsTimersNeverFire) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  auto lat = spec("lat", "latency", {{"latency", 1000}});
  chain.start({lat});
  chain.push(chunkOf("held", sink));
  EXPECT_EQ(sink.pendingTimers(), 1u);
  chain.setToxics({});
  EXPECT_EQ(sink.written(), "held");
  EXPECT_EQ(sink.pendingTimers(), 0u);
  sink.runAllTimers();
  EXPECT_EQ(sink.written(), "held");
}

TEST(ToxicChain, UpdateKeepsTheTimeAlreadyWaited) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({spec("lat", "latency", {{"latency", 100}})});
  chain.push(chunkOf("x", sink));
  sink.advance(Millis(60));
  chain.setToxics({spec("lat", "latency", {{"latency", 80}})});
  EXPECT_EQ(sink.written(), "");
  sink.advance(Millis(20));  // 80 ms since it arrived
  EXPECT_EQ(sink.written(), "x");
}

TEST(ToxicChain, UnchangedSpecKeepsItsStageAndState) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  auto lat = spec("lat", "latency", {{"latency", 100}});
  chain.start({lat});
  chain.push(chunkOf("x", sink));
  chain.setToxics({lat, spec("bw", "bandwidth", {{"rate", 1000}})});
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain.stageInfo(0).buffered, 1u);  // the same stage, still holding its chunk
  sink.runAllTimers();
  EXPECT_EQ(sink.written(), "x");
}

TEST(ToxicChain, EndOfStreamHeldByARemovedStageIsHandedOnOnce) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({spec("lat", "latency", {{"latency", 500}})});
  chain.push(chunkOf("tail", sink));
  chain.end();
  EXPECT_EQ(sink.ends(), 0);
  chain.setToxics({});
  EXPECT_EQ(sink.written(), "tail");
  EXPECT_EQ(sink.ends(), 1);
  sink.runAllTimers();
  EXPECT_EQ(sink.ends(), 1);
}

// Toxiproxy's TestAddRemoveStubs idea: a toxic added and removed in a tight loop while data
// flows; nothing is lost, duplicated or reordered.
TEST(ToxicChain, AddRemoveInATightLoopWhileNumberedValuesFlowKeepsEveryValueInOrder) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({});
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    const std::string v = value(i);
    expected += v;
    chain.push(chunkOf(v, sink));
    if (i % 2 == 0) {
      chain.setToxics({spec("lat", "latency", {{"latency", i % 7}}), spec("slice", "slicer", {{"average_size", 3}})});
    } else {
      chain.setToxics({});
    }
    sink.advance(Millis(i % 3));
  }
  chain.end();
  sink.runAllTimers();
  EXPECT_EQ(sink.written(), expected);
  EXPECT_EQ(sink.ends(), 1);
  EXPECT_EQ(chain.bufferedBytes(), 0u);
}

// Toxiproxy's TestNoDataDropped idea: numbered values written while a latency toxic is added,
// updated and removed over and over, with stages before and after it.
TEST(ToxicChain, NoDataDroppedWhileTheChainChangesAroundHeldBytes) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  auto bw = spec("bw", "bandwidth", {{"rate", 50}});
  chain.start({bw});
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string v = value(i);
    expected += v;
    chain.push(chunkOf(v, sink));
    switch (i % 4) {
      case 0: chain.setToxics({spec("lat", "latency", {{"latency", 20 + i % 5}}), bw}); break;
      case 1: chain.setToxics({spec("lat", "latency", {{"latency", 5}}), bw}); break;
      case 2: chain.setToxics({bw, spec("lat2", "latency", {{"latency", 3}})}); break;
      default: chain.setToxics({}); break;
    }
    sink.advance(Millis(1));
  }
  chain.end();
  sink.runAllTimers();
  EXPECT_EQ(sink.written(), expected);
  EXPECT_EQ(sink.ends(), 1);
}

// A per-session layer puts a stage at the head; it survives every replacement and may forward
// at any time, from outside its own callbacks.
class HeadStage final : public Toxic {
 public:
  void onAttach(ToxicContext& ctx) override { ctx_ = &ctx; }
  void onChunk(Chunk chunk, ToxicContext& ctx) override { ctx.forward(std::move(chunk)); }
  void inject(const std::string& bytes) { ctx_->forward(Chunk::copyOf(bytes.data(), bytes.size(), ctx_->now())); }
  std::size_t wantedInFlight() const override { return 0; }

 private:
  ToxicContext* ctx_ = nullptr;
};

TEST(ToxicChain, PinnedHeadStageStaysFirstAndMayForwardAtAnyTime) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  auto head = std::make_unique<HeadStage>();
  HeadStage* raw = head.get();
  ToxicSpec head_spec;
  head_spec.name = "http";
  head_spec.type = "http";
  chain.addHeadStage(std::make_shared<const ToxicSpec>(head_spec), std::move(head));
  chain.start({spec("lat", "latency", {{"latency", 10}})});
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_TRUE(chain.stageInfo(0).pinned);
  chain.setToxics({});
  ASSERT_EQ(chain.size(), 1u);
  EXPECT_EQ(chain.stageInfo(0).name, "http");
  raw->inject("synthetic");
  EXPECT_EQ(sink.written(), "synthetic");
  chain.setToxics({spec("lat", "latency", {{"latency", 10}})});
  raw->inject("-late");
  EXPECT_EQ(sink.written(), "synthetic");  // now behind the latency stage
  sink.advance(Millis(10));
  EXPECT_EQ(sink.written(), "synthetic-late");
}

TEST(ToxicChain, AStageClosingTheSessionReachesTheSinkAndStopEndsEverything) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({spec("lim", "limit_data", {{"bytes", 4}}), spec("lat", "latency", {{"latency", 10}})});
  chain.push(chunkOf("abcdefgh", sink));
  EXPECT_EQ(sink.closes(), 1);
  EXPECT_EQ(sink.closedBy(), "lim");
  chain.stop();
  sink.runAllTimers();
  EXPECT_EQ(sink.written(), "");  // the latency stage's timer never fires after stop()
  chain.push(chunkOf("more", sink));
  EXPECT_EQ(sink.written(), "");
}

TEST(ToxicChain, NoopPassesBytesUnchangedAndWantsNothingInFlight) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({spec("marker", "noop")});
  chain.push(chunkOf("unchanged", sink));
  chain.end();
  EXPECT_EQ(sink.written(), "unchanged");
  EXPECT_EQ(sink.ends(), 1);
  EXPECT_EQ(chain.wantedInFlight(), 0u);
  ASSERT_EQ(sink.built().size(), 1u);
  EXPECT_TRUE(sink.built()[0].applied);
}

TEST(ToxicChain, CountsBytesInAndOutPerStage) {
  FakeChainSink sink;
  ToxicChain chain(sink);
  chain.start({spec("lat", "latency", {{"latency", 10}})});
  chain.push(chunkOf("12345", sink));
  EXPECT_EQ(chain.stageInfo(0).bytes_in, 5u);
  EXPECT_EQ(chain.stageInfo(0).bytes_out, 0u);
  sink.advance(Millis(10));
  EXPECT_EQ(chain.stageInfo(0).bytes_out, 5u);
}

}  // namespace
}  // namespace faultline

#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "net/address.h"
#include "proxy/proxy_registry.h"
#include "support/loop_thread.h"
#include "support/sockets.h"
#include "toxics/toxic_spec.h"

namespace faultline::testing {

// A registry on a loop thread, with helpers that hop onto the loop for every change.
class ProxyFixture : public ::testing::Test {
 protected:
  void startRegistry(RegistryOptions options = {}) {
    loop_ = std::make_unique<LoopThread>();
    registry_ = loop_->call([&] { return new ProxyRegistry(loop_->loop(), options); });
    loop_->setOnStop([this] { delete registry_; });
  }
  void SetUp() override { startRegistry(); }
  void TearDown() override { loop_.reset(); }

  // Creates a proxy on 127.0.0.1:0 towards upstream_port and returns the bound port.
  uint16_t createProxy(const std::string& name, uint16_t upstream_port) {
    ProxyConfig config;
    config.name = name;
    config.listen = "127.0.0.1:0";
    config.upstream = "127.0.0.1:" + std::to_string(upstream_port);
    auto info = loop_->call([&] { return registry_->create(config); });
    EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().message);
    if (!info.ok()) return 0;
    return parseHostPort(info->listen)->port;
  }

  ToxicSpec toxic(const std::string& type, Stream stream, std::map<std::string, int64_t> attributes,
                  const std::string& name = "", double toxicity = 1.0) {
    ToxicInput input;
    input.type = type;
    input.stream = streamName(stream);
    if (!name.empty()) input.name = name;
    input.toxicity = toxicity;
    input.attributes = std::move(attributes);
    auto spec = buildToxicSpec(input);
    EXPECT_TRUE(spec.ok()) << (spec.ok() ? "" : spec.error().message);
    return spec.ok() ? *spec : ToxicSpec{};
  }

  void addToxic(const std::string& proxy, const ToxicSpec& spec) {
    auto result = loop_->call([&] { return registry_->addToxic(proxy, spec); });
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  void removeToxic(const std::string& proxy, const std::string& name) {
    auto result = loop_->call([&] { return registry_->removeToxic(proxy, name); });
    ASSERT_TRUE(result.ok()) << result.error().message;
  }
  std::size_t bufferedBytes() {
    return loop_->call([&] { return registry_->bufferedBytes(); });
  }

  std::unique_ptr<LoopThread> loop_;
  ProxyRegistry* registry_ = nullptr;
};

}  // namespace faultline::testing

#include <gtest/gtest.h>

#include <algorithm>

#include "toxics/toxic_registry.h"
#include "toxics/toxic_spec.h"

namespace faultline {
namespace {

Result<ToxicSpec> build(const std::string& type, std::map<std::string, std::string> text,
                        std::map<std::string, int64_t> ints = {}) {
  ToxicInput input;
  input.type = type;
  input.text_attributes = std::move(text);
  input.attributes = std::move(ints);
  return buildToxicSpec(input, "toxic");
}

TEST(HttpToxicSpec, DefaultsFillEveryAttributeTyped) {
  auto spec = build("http_abort", {});
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->attr("status"), 503);
  EXPECT_EQ(spec->attr("percentage"), 100);
  EXPECT_EQ(spec->attr("retry_after"), 0);
  EXPECT_EQ(spec->text("path"), "");
  EXPECT_EQ(spec->text_attributes.count("method"), 1u);
  auto reset = build("http_reset", {});
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(reset->text("when"), "request");
  EXPECT_EQ(reset->text("mode"), "reset");
  EXPECT_EQ(build("http_delay", {})->text("phase"), "request");
  EXPECT_TRUE(isHttpToxicType("http_status"));
  EXPECT_TRUE(isHttpToxicType("status_code"));
  EXPECT_FALSE(isHttpToxicType("latency"));
}

TEST(HttpToxicSpec, NumbersAsStringsAreAcceptedForHttpToxicsOnly) {
  auto spec = build("http_abort", {{"status", "429"}, {"retry_after", "2"}, {"path", "/data*"}});
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->attr("status"), 429);
  EXPECT_EQ(spec->attr("retry_after"), 2);
  EXPECT_EQ(spec->text("path"), "/data*");
  auto latency = build("latency", {{"latency", "100"}});
  ASSERT_FALSE(latency.ok());
  EXPECT_EQ(latency.error().message, "toxic.attributes.latency: expected an integer (ms), got the string \"100\"");
}

TEST(HttpToxicSpec, BadValuesNameTheAttributeAndTheFix) {
  auto status = build("http_abort", {{"status", "700"}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "toxic.attributes.status: expected an integer from 100 to 599 (HTTP status), got 700");
  auto word = build("http_reset", {{"when", "later"}});
  ASSERT_FALSE(word.ok());
  EXPECT_EQ(word.error().message, "toxic.attributes.when: expected one of request, headers, body, got \"later\"");
  auto glob = build("http_delay", {{"path", "data"}});
  ASSERT_FALSE(glob.ok());
  EXPECT_NE(glob.error().message.find("toxic.attributes.path: path glob \"data\" must start with '/'"), std::string::npos);
  auto unknown = build("http_status", {{"colour", "red"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown attribute for toxic type http_status"), std::string::npos);
  auto nan = build("http_abort", {{"percentage", "lots"}});
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.error().message.find("from 0 to 100"), std::string::npos);
}

TEST(HttpToxicSpec, TextAttributesTakePartInEquality) {
  auto a = build("http_abort", {{"path", "/a"}});
  auto b = build("http_abort", {{"path", "/b"}});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(*a == *b);
  EXPECT_TRUE(*a == *build("http_abort", {{"path", "/a"}}));
}

// The classic toxics' Toxiproxy attributes stay integers; the text attributes they gained in
// issue 14 (client, distribution, scope) are extensions that the JSON leaves out at their default.
TEST(HttpToxicSpec, ClassicToxicsKeepIntegerAttributesOnly) {
  for (const char* name : {"latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data"}) {
    auto spec = build(name, {}, {});
    ASSERT_TRUE(spec.ok()) << name;
    const ToxicType* type = findToxicType(name);
    ASSERT_NE(type, nullptr);
    for (const auto& [key, value] : spec->text_attributes) {
      auto info = std::find_if(type->attributes.begin(), type->attributes.end(),
                               [&key = key](const AttributeInfo& a) { return a.name == key; });
      ASSERT_NE(info, type->attributes.end()) << name << "." << key;
      EXPECT_TRUE(info->hidden_at_default) << name << "." << key << " would change Toxiproxy's JSON shape";
      EXPECT_EQ(value, info->default_text) << name << "." << key;
    }
  }
}

}  // namespace
}  // namespace faultline

#include <faultline/testing/http_toxics.hpp>

namespace faultline {
namespace {

// The C++ test helper's builders name attributes the registry accepts.
TEST(HttpToxicBuilders, BuildValidSpecs) {
  namespace ft = faultline::testing;
  for (const ft::HttpToxic& t :
       {ft::httpAbort(503).path("/data*").percentage(30).retryAfter(2).body("{}"),
        ft::httpDelay(500).method("GET,POST").phase("response").jitter(10), ft::httpReset("body").bytes(100).mode("close"),
        ft::httpStatus(502).header("X-Tenant: blue")}) {
    ToxicInput input;
    input.type = t.type;
    input.attributes = t.attributes;
    input.text_attributes = t.text_attributes;
    auto spec = buildToxicSpec(input);
    EXPECT_TRUE(spec.ok()) << t.type << ": " << (spec.ok() ? "" : spec.error().message);
  }
  EXPECT_EQ(ft::httpAbort(503).path("/data*").percentage(30).text_attributes.at("path"), "/data*");
}

}  // namespace
}  // namespace faultline

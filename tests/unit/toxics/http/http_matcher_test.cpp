#include "toxics/http/http_matcher.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

HttpHead request(const std::string& method, const std::string& target,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpHead head;
  head.method = method;
  head.target = target;
  head.headers = std::move(headers);
  return head;
}

TEST(HttpMatcher, GlobStarMatchesAnyRunIncludingSlashes) {
  EXPECT_TRUE(globMatch("/data*", "/data"));
  EXPECT_TRUE(globMatch("/data*", "/data/1/2"));
  EXPECT_FALSE(globMatch("/data*", "/dat"));
  EXPECT_TRUE(globMatch("*/items", "/v1/items"));
  EXPECT_TRUE(globMatch("/a*c*e", "/abcde"));
  EXPECT_FALSE(globMatch("/a*c*e", "/abcdf"));
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_FALSE(globMatch(std::string(30, '*') + "x", std::string(5000, 'a')));  // no blow-up
}

TEST(HttpMatcher, PathIsMatchedWithoutItsQuery) {
  HttpMatcher m("", "/data*", "");
  EXPECT_TRUE(m.matches(request("GET", "/data?x=1")));
  EXPECT_TRUE(m.matches(request("GET", "http://partner:80/data/7?q")));
  EXPECT_FALSE(m.matches(request("GET", "/other?p=/data")));
}

TEST(HttpMatcher, MethodListIsCaseInsensitive) {
  HttpMatcher m("get, Post", "", "");
  EXPECT_TRUE(m.matches(request("GET", "/")));
  EXPECT_TRUE(m.matches(request("POST", "/")));
  EXPECT_FALSE(m.matches(request("DELETE", "/")));
}

TEST(HttpMatcher, HeaderExactValueOrPresence) {
  HttpMatcher exact("", "", "X-Tenant: blue");
  EXPECT_TRUE(exact.matches(request("GET", "/", {{"x-tenant", "blue"}})));
  EXPECT_FALSE(exact.matches(request("GET", "/", {{"X-Tenant", "bluer"}})));
  HttpMatcher present("", "", "X-Tenant");
  EXPECT_TRUE(present.matches(request("GET", "/", {{"X-TENANT", ""}})));
  EXPECT_FALSE(present.matches(request("GET", "/", {{"X-Other", "blue"}})));
}

TEST(HttpMatcher, AllMatchersMustHold) {
  HttpMatcher m("GET", "/data*", "X-A");
  EXPECT_TRUE(m.matches(request("GET", "/data", {{"X-A", "1"}})));
  EXPECT_FALSE(m.matches(request("POST", "/data", {{"X-A", "1"}})));
  EXPECT_FALSE(m.matches(request("GET", "/x", {{"X-A", "1"}})));
  EXPECT_FALSE(m.matches(request("GET", "/data")));
  EXPECT_TRUE(HttpMatcher().matches(request("GET", "/anything")));
}

TEST(HttpMatcher, ChecksExplainBadInput) {
  EXPECT_TRUE(checkPathGlob("/data*").ok());
  EXPECT_FALSE(checkPathGlob("data").ok());
  EXPECT_FALSE(checkPathGlob("/a b").ok());
  auto query = checkPathGlob("/data?x=1");
  ASSERT_FALSE(query.ok());
  EXPECT_NE(query.error().message.find("without its query"), std::string::npos);
  EXPECT_TRUE(checkMethodList("GET,POST").ok());
  EXPECT_FALSE(checkMethodList("GET,,POST").ok());
  EXPECT_FALSE(checkMethodList("GE T").ok());
  EXPECT_TRUE(checkHeaderMatcher("X-A: b").ok());
  EXPECT_FALSE(checkHeaderMatcher(": b").ok());
}

}  // namespace
}  // namespace faultline

#include <gtest/gtest.h>

#include "http/http_url.h"

namespace faultline {
namespace {

TEST(HttpUrl, ParsesHostPortAndBasePath) {
  auto url = parseHttpUrl("http://localhost:8474/base/");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 8474);
  EXPECT_EQ(url->base_path, "/base");
  EXPECT_EQ(url->toString(), "http://localhost:8474/base");
  EXPECT_EQ(url->hostHeader(), "localhost:8474");
}

TEST(HttpUrl, DefaultsToPort80AndAcceptsNoScheme) {
  auto url = parseHttpUrl("example.test");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->base_path, "");
  auto bare = parseHttpUrl("127.0.0.1:9000");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->host, "127.0.0.1");
  EXPECT_EQ(bare->port, 9000);
}

TEST(HttpUrl, ParsesBracketedIpv6) {
  auto url = parseHttpUrl("http://[::1]:8474");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->toString(), "http://[::1]:8474");
}

TEST(HttpUrl, RejectsWhatItCannotUse) {
  for (const char* bad : {"https://localhost:8474", "http://:8474", "http://localhost:", "http://localhost:99999",
                          "http://localhost:abc", "http://[::1", "http://::1:80", "http://host/a?b=c"}) {
    auto url = parseHttpUrl(bad);
    EXPECT_FALSE(url.ok()) << bad;
    if (!url.ok()) {
      EXPECT_NE(url.error().message.find(bad), std::string::npos) << url.error().message;
    }
  }
}

}  // namespace
}  // namespace faultline

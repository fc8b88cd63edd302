#include "net/cidr.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace faultline {
namespace {

sockaddr_storage ipv4(const char* text) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  v4->sin_family = AF_INET;
  inet_pton(AF_INET, text, &v4->sin_addr);
  return storage;
}

sockaddr_storage ipv6(const char* text) {
  sockaddr_storage storage{};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  v6->sin6_family = AF_INET6;
  inet_pton(AF_INET6, text, &v6->sin6_addr);
  return storage;
}

bool contains(const char* cidr, const sockaddr_storage& address) {
  auto parsed = Cidr::parse(cidr);
  EXPECT_TRUE(parsed.ok()) << cidr;
  return parsed.ok() && parsed->contains(reinterpret_cast<const sockaddr*>(&address));
}

TEST(Cidr, ASlash32MatchesOnlyThatClient) {
  EXPECT_TRUE(contains("127.0.0.2/32", ipv4("127.0.0.2")));
  EXPECT_FALSE(contains("127.0.0.2/32", ipv4("127.0.0.1")));
  EXPECT_TRUE(contains("127.0.0.2", ipv4("127.0.0.2")));  // a bare address is its own /32
}

TEST(Cidr, APrefixMatchesTheWholeBlock) {
  EXPECT_TRUE(contains("10.0.0.0/8", ipv4("10.200.3.4")));
  EXPECT_FALSE(contains("10.0.0.0/8", ipv4("11.0.0.1")));
  EXPECT_TRUE(contains("192.168.1.0/25", ipv4("192.168.1.127")));
  EXPECT_FALSE(contains("192.168.1.0/25", ipv4("192.168.1.128")));
  EXPECT_TRUE(contains("0.0.0.0/0", ipv4("8.8.8.8")));
}

TEST(Cidr, IPv6BlocksMatchIPv6Clients) {
  EXPECT_TRUE(contains("::1/128", ipv6("::1")));
  EXPECT_FALSE(contains("::1/128", ipv6("::2")));
  EXPECT_TRUE(contains("fd00::/8", ipv6("fd12:3456::1")));
  EXPECT_FALSE(contains("fd00::/8", ipv6("fe80::1")));
  EXPECT_FALSE(contains("::1/128", ipv4("127.0.0.1")));
}

TEST(Cidr, IPv4BlocksMatchIPv4MappedClientsOfADualStackListener) {
  EXPECT_TRUE(contains("127.0.0.2/32", ipv6("::ffff:127.0.0.2")));
  EXPECT_FALSE(contains("127.0.0.2/32", ipv6("::ffff:127.0.0.3")));
}

TEST(Cidr, HostBitsAreClearedInTheCanonicalForm) {
  auto cidr = Cidr::parse("10.1.2.3/8");
  ASSERT_TRUE(cidr.ok());
  EXPECT_EQ(cidr->toString(), "10.0.0.0/8");
  EXPECT_EQ(*cidr, *Cidr::parse("10.0.0.0/8"));
  EXPECT_EQ(Cidr::parse("fd00:1::5/16")->toString(), "fd00::/16");
}

TEST(Cidr, BadInputSaysWhatIsWrongAndShowsTheForm) {
  for (const char* bad : {"", "localhost", "127.0.0.1/33", "::1/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0/8",
                          "10.0.0.0/-1", "10.0.0.0/8/9"}) {
    auto cidr = Cidr::parse(bad);
    ASSERT_FALSE(cidr.ok()) << bad;
    EXPECT_NE(cidr.error().message.find("127.0.0.2/32"), std::string::npos) << cidr.error().message;
  }
  EXPECT_NE(Cidr::parse("127.0.0.1/33").error().message.find("0 to 32"), std::string::npos);
}

}  // namespace
}  // namespace faultline

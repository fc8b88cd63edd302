// What a user's suite looks like: faultline/testing.hpp from the installed package, the
// installed faultline binary, a fault on a proxy, seen on the wire.
#include <faultline/testing.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace ft = faultline::testing;

namespace {

// GET /version through `port`, and how long the answer took.
std::chrono::milliseconds timedGet(uint16_t port, std::string& answer) {
  const auto started = std::chrono::steady_clock::now();
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
    const std::string request = "GET /version HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::write(fd, request.data(), request.size());
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
}

}  // namespace

TEST(InstalledHelper, StartsFaultlineAndALatencyToxicSlowsTheProxy) {
  auto faultline = ft::Faultline::start(FAULTLINE_BIN);
  // The upstream is the instance's own API: no other server needed.
  const std::string api = faultline.apiUrl().substr(std::string("http://").size());
  auto proxy = faultline.createProxy("self", api);

  std::string fast;
  timedGet(proxy.port(), fast);
  ASSERT_NE(fast.find("\"version\""), std::string::npos) << fast;
  {
    auto slow = proxy.withToxic(ft::latency(300));
    std::string answer;
    const auto took = timedGet(proxy.port(), answer);
    EXPECT_NE(answer.find("\"version\""), std::string::npos) << answer;
    EXPECT_GE(took.count(), 290);
  }
  EXPECT_TRUE(faultline.api().call("GET", "/proxies/self/toxics").empty()) << "the scope removed its toxic";
}

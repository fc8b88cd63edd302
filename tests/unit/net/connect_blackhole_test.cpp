#include "net/connect_blackhole.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <optional>

#include "net/address.h"

namespace faultline {
namespace {

// A non-blocking connect to 127.0.0.1:port: 0 once connected, the errno it failed with, or
// nullopt when neither happened within wait_ms (no SYN-ACK: the client's connect timeout).
std::optional<int> connectOutcome(uint16_t port, int wait_ms) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::optional<int> outcome;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    outcome = 0;
  } else if (errno != EINPROGRESS) {
    outcome = errno;
  } else {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, wait_ms) == 1) {
      int error = 0;
      socklen_t len = sizeof error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
      outcome = error;
    }
  }
  ::close(fd);
  return outcome;
}

sockaddr_storage loopbackAnyPort() {
  return *numericSockaddr(HostPort{"127.0.0.1", 0});
}

TEST(ConnectBlackhole, NewConnectionsGetNoAnswerUntilItCloses) {
  if (!ConnectBlackhole::unsupportedReason().empty()) GTEST_SKIP() << ConnectBlackhole::unsupportedReason();
  const auto address = loopbackAnyPort();
  auto hole = ConnectBlackhole::open(reinterpret_cast<const sockaddr*>(&address));
  ASSERT_TRUE(hole.ok()) << hole.error().message;
  const uint16_t port = parseHostPort((*hole)->boundAddress())->port;
  ASSERT_NE(port, 0);
  // Neither connected nor refused: the SYN is dropped, so only the client's own timeout ends it.
  EXPECT_EQ(connectOutcome(port, 1000), std::nullopt);
  EXPECT_EQ(connectOutcome(port, 300), std::nullopt);
  hole->reset();
  // Closed: the port answers again (nobody listens now, so it refuses at once).
  EXPECT_EQ(connectOutcome(port, 1000), ECONNREFUSED);
}

TEST(ConnectBlackhole, ABusyAddressIsAClearError) {
  if (!ConnectBlackhole::unsupportedReason().empty()) GTEST_SKIP() << ConnectBlackhole::unsupportedReason();
  const auto address = loopbackAnyPort();
  auto first = ConnectBlackhole::open(reinterpret_cast<const sockaddr*>(&address));
  ASSERT_TRUE(first.ok());
  const auto taken = *numericSockaddr(*parseHostPort((*first)->boundAddress()));
  auto second = ConnectBlackhole::open(reinterpret_cast<const sockaddr*>(&taken));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("connect_timeout on 127.0.0.1:"), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
}

}  // namespace
}  // namespace faultline

// TESTS.md "Real cost inside the caps" and issue 19 item 7, through the real binary: whatever the
// toxic cuts the stream into, the process's resident memory stays within the byte caps plus a
// fixed overhead, because every queued chunk is charged at least what it really costs and
// undelayed pieces are written as one.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <fstream>
#include <thread>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::size_t residentBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return static_cast<std::size_t>(std::atol(line.c_str() + 6)) * 1024;
  }
  return 0;
}

// A listener that never accepts, with a tiny receive buffer (inherited by the connections the
// kernel completes for it): an upstream that does not read, and whose kernel buffers do not hide
// the proxy's own backlog.
class StuckUpstream {
 public:
  StuckUpstream() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 && ::listen(fd_, 16) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &len) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~StuckUpstream() { ::close(fd_); }
  StuckUpstream(const StuckUpstream&) = delete;
  StuckUpstream& operator=(const StuckUpstream&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Writes as fast as the proxy takes bytes, until it stops taking them for `quiet` (its reader
// paused and every kernel buffer on the way is full) or `budget` bytes went out.
// Returns the bytes sent; *peak_rss gets the highest RSS of `pid` seen on the way.
std::size_t floodUntilStalled(Socket& socket, std::size_t budget, std::chrono::milliseconds quiet, pid_t pid,
                              std::size_t* peak_rss) {
  ::fcntl(socket.fd(), F_SETFL, ::fcntl(socket.fd(), F_GETFL) | O_NONBLOCK);
  int small = 16 * 1024;
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  const std::string block = randomBytes(64 * 1024, 7);
  std::size_t sent = 0;
  auto last_progress = Clock::now();
  const auto give_up = Clock::now() + 60s;
  while (sent < budget && Clock::now() - last_progress < quiet && Clock::now() < give_up) {
    const ssize_t n = ::send(socket.fd(), block.data(), block.size(), MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      last_progress = Clock::now();
    } else {
      *peak_rss = std::max(*peak_rss, residentBytes(pid));
      std::this_thread::sleep_for(5ms);
    }
  }
  *peak_rss = std::max(*peak_rss, residentBytes(pid));
  return sent;
}

// The regression: 1-byte slices with no delay in front of an upstream that does not read took
// RSS to 277 MiB while the budget said 1.1 MB (each byte was its own write request). With both
// caps at 1 MiB the growth must stay within the caps and a fixed overhead (ASan's shadow and
// allocator slack included), far from the hundreds of MiB of the bug.
TEST(MemoryCaps, OneByteSlicesToAnUpstreamThatDoesNotReadStayWithinTheCaps) {
  ServeProcess server({"--link-cap-mib", "1", "--global-cap-mib", "1"});
  ASSERT_TRUE(server.ready()) << server.child().output();
  StuckUpstream upstream;
  ASSERT_NE(upstream.port(), 0);
  const uint16_t port = server.createProxy("slices", upstream.port());
  ASSERT_NE(port, 0);
  ASSERT_TRUE(server.addToxic("slices", {{"type", "slicer"}, {"stream", "upstream"},
                                         {"attributes", {{"average_size", 1}, {"size_variation", 0}, {"delay", 0}}}}));
  std::this_thread::sleep_for(100ms);
  const std::size_t rss_before = residentBytes(server.child().pid());
  ASSERT_GT(rss_before, 0u);

  Socket client = Socket::connectTo(port);
  ASSERT_TRUE(client.valid());
  std::size_t rss_after = 0;
  const std::size_t sent = floodUntilStalled(client, 64u << 20, 2000ms, server.child().pid(), &rss_after);
  const auto growth = static_cast<long long>(rss_after) - static_cast<long long>(rss_before);
  RecordProperty("bytes_sent", std::to_string(sent));
  RecordProperty("rss_growth_bytes", std::to_string(growth));
  std::printf("sent %zu bytes, RSS %zu -> %zu bytes\n", sent, rss_before, rss_after);
  EXPECT_GT(sent, 512u << 10) << "the proxy must have taken the bytes the caps allow";
  EXPECT_LT(growth, 24ll << 20) << "RSS grew from " << rss_before << " to " << rss_after << " bytes with 2 MiB of caps";

  // The API still answers: the loop is not stuck writing millions of tiny pieces.
  auto version = server.api("GET", "/version");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->status, 200);
}

}  // namespace
}  // namespace faultline::testing

// TESTS.md "Resources" and "The API never waits on the data path", against the real binary.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <thread>
#include <vector>

#include "support/serve_process.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// An upstream that writes as fast as the proxy takes bytes, to every connection, until it closes.
TcpServer firehose() {
  return TcpServer([](Socket& socket) {
    const std::string block(64 * 1024, 'f');
    while (socket.sendAll(block)) {
    }
  });
}

// Closing with SO_LINGER 0 sends RST instead of FIN: the peer "resets mid-stream".
void resetClose(Socket& socket) {
  linger lin{1, 0};
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
  socket.close();
}

bool echoRoundTrip(uint16_t port, const std::string& message) {
  Socket socket = Socket::connectTo(port);
  if (!socket.valid() || !socket.sendAll(message)) return false;
  return socket.readExactly(message.size(), 5s) == message;
}

template <typename F>
milliseconds timed(F fn) {
  const auto start = Clock::now();
  fn();
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

TEST(Resources, ApiStaysFastWithHundredSaturatingConnectionsAndADeadDownstreamPeer) {
  // Small caps keep the test's memory modest; saturation is about the caps being reached.
  ServeProcess server({"--link-cap-mib", "1", "--global-cap-mib", "64"});
  ASSERT_TRUE(server.ready()) << server.child().output();
  auto hose = firehose();
  const uint16_t port = server.createProxy("hose", hose.port());
  ASSERT_NE(port, 0);
  ASSERT_TRUE(server.addToxic("hose", {{"name", "lat"}, {"type", "latency"}, {"attributes", {{"latency", 50}}}}));
  ASSERT_TRUE(server.addToxic("hose", {{"name", "bw"}, {"type", "bandwidth"}, {"stream", "upstream"},
                                       {"attributes", {{"rate", 100000}}}}));

  // 100 clients: each floods upstream and never reads, so every downstream link backs up too.
  std::vector<Socket> clients;
  for (int i = 0; i < 100; ++i) {
    clients.push_back(Socket::connectTo(port));
    ASSERT_TRUE(clients.back().valid()) << "client " << i;
  }
  std::atomic<bool> stop{false};
  std::thread flooder([&] {
    const std::string block(16 * 1024, 'u');
    while (!stop) {
      for (auto& c : clients) ::send(c.fd(), block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      std::this_thread::sleep_for(1ms);
    }
  });
  std::this_thread::sleep_for(1500ms);  // let every link fill to its cap

  Result<HttpResponse> deleted = Error::invalid("not called");
  Result<HttpResponse> listed = Error::invalid("not called");
  const auto delete_time = timed([&] { deleted = server.api("DELETE", "/proxies/hose/toxics/lat"); });
  const auto list_time = timed([&] { listed = server.api("GET", "/proxies"); });
  stop = true;
  flooder.join();

  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(deleted->status, 204);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(listed->status, 200);
  // Generous: an API that waited on a blocked link would take until the peers read (never).
  // 2 s was exceeded (2.3 s) under ASan with a load average of 10 on 2 cores, where this process
  // gets a fraction of a core while 100 links flush; 5 s still tells "fast" from "never".
  EXPECT_LT(delete_time, 5s);
  EXPECT_LT(list_time, 5s);
  for (auto& c : clients) resetClose(c);
}

TEST(Resources, AcceptAtTheFdLimitDoesNotSpinAndServiceRecovers) {
  // 64 fds: the API, the listener, stdio and a few sessions (each session takes two).
  // Under UBSan the first check of each (vtable, type) pair probes memory through a pipe(): at
  // the fd limit the probe fails and UBSan reports a false "invalid vptr" and aborts. So every
  // virtual call the limit reaches runs once before it (a session that opens and closes), and
  // warnings, whose formatting would reach new ones, stay off.
  ServeProcess server({"--log-level", "error"}, "ulimit -n 64;");
  ASSERT_TRUE(server.ready()) << server.child().output();
  auto echo = TcpServer::echo();
  const uint16_t port = server.createProxy("echo", echo.port());
  ASSERT_NE(port, 0);
  Socket existing = Socket::connectTo(port);
  ASSERT_TRUE(existing.sendAll("before"));
  ASSERT_EQ(existing.readExactly(6, 5s), "before");
  ASSERT_TRUE(echoRoundTrip(port, "warm-up"));  // the session close path, before the limit
  std::this_thread::sleep_for(200ms);

  // Far past the limit: the kernel completes these handshakes whatever the process does.
  std::vector<Socket> flood;
  for (int i = 0; i < 150; ++i) {
    flood.push_back(Socket::connectTo(port));
    if (flood.back().valid()) ::send(flood.back().fd(), "x", 1, MSG_NOSIGNAL);
  }
  std::this_thread::sleep_for(300ms);
  const long cpu_before = server.cpuTicks();
  ASSERT_GE(cpu_before, 0);
  std::this_thread::sleep_for(2s);
  const long cpu_spent = server.cpuTicks() - cpu_before;
  // A loop retrying accept() on EMFILE burns the whole 2 s (200 ticks at 100 Hz); idle is ~0.
  EXPECT_LT(cpu_spent, 50) << "ticks of CPU in 2 s at the fd limit";

  // The session that was already open keeps flowing.
  ASSERT_TRUE(existing.sendAll("during"));
  EXPECT_EQ(existing.readExactly(6, 5s), "during");

  // Freeing the fds brings the service back.
  for (auto& s : flood) s.close();
  bool recovered = false;
  for (auto deadline = Clock::now() + 10s; !recovered && Clock::now() < deadline;) {
    recovered = echoRoundTrip(port, "after");
    if (!recovered) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(recovered) << "no new session within 10 s of fds freeing up";
  auto version = server.api("GET", "/version");
  EXPECT_TRUE(version.ok() && version->status == 200);
}

TEST(Resources, PeersResettingMidStreamWithWritesPendingLeaveTheProcessHealthy) {
  // Run under ASan (FAULTLINE_SANITIZE=ON) a use-after-free in the reset path kills the child,
  // which the checks below then see.
  ServeProcess server({"--link-cap-mib", "1"});
  ASSERT_TRUE(server.ready()) << server.child().output();
  auto hose = firehose();
  const uint16_t hose_port = server.createProxy("hose", hose.port());
  ASSERT_NE(hose_port, 0);
  auto echo = TcpServer::echo();
  const uint16_t echo_port = server.createProxy("echo", echo.port());
  ASSERT_NE(echo_port, 0);
  const int baseline_fds = server.openFds();

  for (int round = 0; round < 20; ++round) {
    // Downstream writes pending: the client does not read while the upstream floods it.
    Socket reader = Socket::connectTo(hose_port);
    ASSERT_TRUE(reader.valid());
    std::this_thread::sleep_for(round % 2 == 0 ? 50ms : 5ms);
    resetClose(reader);
    // Upstream writes pending behind a latency toxic, then the client resets.
    Socket writer = Socket::connectTo(echo_port);
    ASSERT_TRUE(writer.valid());
    ::send(writer.fd(), std::string(256 * 1024, 'w').data(), 256 * 1024, MSG_DONTWAIT | MSG_NOSIGNAL);
    resetClose(writer);
  }
  ASSERT_TRUE(server.addToxic("echo", {{"type", "latency"}, {"attributes", {{"latency", 100}}}}));
  for (int round = 0; round < 10; ++round) {
    Socket writer = Socket::connectTo(echo_port);
    ASSERT_TRUE(writer.valid());
    ::send(writer.fd(), std::string(256 * 1024, 'w').data(), 256 * 1024, MSG_DONTWAIT | MSG_NOSIGNAL);
    std::this_thread::sleep_for(20ms);
    resetClose(writer);
  }
  EXPECT_TRUE(echoRoundTrip(echo_port, "still here"));
  auto version = server.api("GET", "/version");
  ASSERT_TRUE(version.ok() && version->status == 200) << "the process died: " << server.child().output();
  int fds = -1;
  for (auto deadline = Clock::now() + 10s; Clock::now() < deadline; std::this_thread::sleep_for(50ms)) {
    if ((fds = server.openFds()) <= baseline_fds) break;
  }
  EXPECT_LE(fds, baseline_fds) << "fds did not return to baseline after the resets";
}

// Resident memory of a process in bytes (/proc/PID/status VmRSS), 0 if unreadable.
std::size_t residentBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return static_cast<std::size_t>(std::atol(line.c_str() + 6)) * 1024;
  }
  return 0;
}

// An upstream that accepts every connection and holds it without a byte either way, in a forked
// process: its fds count against its own limit, not this process's.
class IdleHolder {
 public:
  IdleHolder() {
    int fd = listenOnLoopback(4096, &port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (;;) {
        if (::accept(fd, nullptr, nullptr) < 0 && errno != EINTR) ::pause();  // fds kept open
      }
    }
    ::close(fd);
  }
  ~IdleHolder() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// TESTS.md asks for 10,000; the proxy holds two fds per session, so a hard fd limit below
// ~20,100 (this CI container's is 20,000) caps the count, which the test then reports.
TEST(Resources, UpToTenThousandIdleSessionsAreHeldWithBoundedMemory) {
  constexpr int kWanted = 10'000;
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;  // the child inherits the raised soft limit
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  const int sessions = static_cast<int>(std::min<rlim_t>(kWanted, (limit.rlim_max - 100) / 2));
  if (sessions < 5'000) GTEST_SKIP() << "fd hard limit " << limit.rlim_max << " allows only " << sessions << " sessions";
  RecordProperty("idle_sessions", sessions);

  IdleHolder holder;
  ServeProcess server;
  ASSERT_TRUE(server.ready()) << server.child().output();
  const uint16_t port = server.createProxy("idle", holder.port());
  ASSERT_NE(port, 0);
  std::vector<Socket> clients;
  clients.reserve(sessions);
  for (int i = 0; i < 20; ++i) clients.push_back(Socket::connectTo(port));  // warm up
  const int base_fds = server.openFds();
  auto waitForFds = [&](int want) {
    for (auto deadline = Clock::now() + 30s; Clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
      if (server.openFds() >= want) return true;
    }
    return false;
  };
  ASSERT_TRUE(waitForFds(base_fds));
  std::this_thread::sleep_for(200ms);
  const std::size_t rss_before = residentBytes(server.child().pid());
  ASSERT_GT(rss_before, 0u);

  const int extra = sessions - 20;
  for (int i = 0; i < extra; ++i) {
    clients.push_back(Socket::connectTo(port));
    ASSERT_TRUE(clients.back().valid()) << "connection " << i;
    // In batches, so the proxy's accept queue never overflows into SYN retransmits.
    if (i % 250 == 249) {
      ASSERT_TRUE(waitForFds(base_fds + 2 * (i + 1))) << "sessions stalled at " << i;
    }
  }
  ASSERT_TRUE(waitForFds(base_fds + 2 * extra)) << "not every session reached its upstream";
  const std::size_t rss_after = residentBytes(server.child().pid());
  const std::size_t per_session = (rss_after - std::min(rss_after, rss_before)) / static_cast<std::size_t>(extra);
  RecordProperty("rss_bytes_per_idle_session", static_cast<int>(per_session));
  // An idle session must not pin a 64 KiB read slab (two links would be 128 KiB); ASan's
  // redzones and shadow roughly double the real per-session figure.
  EXPECT_LT(per_session, 32u * 1024) << sessions << " idle sessions";

  // Still serving: the API answers, and one of the sessions was not dropped.
  auto version = server.api("GET", "/version");
  EXPECT_TRUE(version.ok() && version->status == 200);
  clients.front().setReceiveTimeout(200ms);
  char byte;
  EXPECT_EQ(::recv(clients.front().fd(), &byte, 1, 0), -1) << "an idle session was closed";
}

}  // namespace
}  // namespace faultline::testing

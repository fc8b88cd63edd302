// Transparent mode (`upstream: original-destination`) against the real binary, in a network
// namespace this test makes: iptables REDIRECTs a client's connection to Faultline's listener,
// Faultline dials where the client was going. Root only (ip netns, iptables); skipped otherwise.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;

constexpr uint16_t kListenPort = 15001;    // the sidecar listener, inside the namespace
constexpr const char* kClientSource = "127.0.0.5";  // only this source is redirected

bool run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

// A network namespace for one test, entered and left by the calling thread; deleted at the end.
class Netns {
 public:
  Netns() : name_("fl-transparent-" + std::to_string(::getpid())) {
    run("ip netns delete " + name_);
    ok_ = run("ip netns add " + name_) && run("ip -n " + name_ + " link set lo up");
    if (ok_) {
      own_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
      ns_ = ::open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
      ok_ = own_ >= 0 && ns_ >= 0;
    }
  }
  ~Netns() {
    if (own_ >= 0) ::close(own_);
    if (ns_ >= 0) ::close(ns_);
    run("ip netns delete " + name_);
  }
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  bool exec(const std::string& command) const { return run("ip netns exec " + name_ + " " + command); }
  // Sockets made (and processes forked) between enter() and leave() live in the namespace.
  bool enter() const { return ::setns(ns_, CLONE_NEWNET) == 0; }
  bool leave() const { return ::setns(own_, CLONE_NEWNET) == 0; }

 private:
  std::string name_;
  bool ok_ = false;
  int own_ = -1;
  int ns_ = -1;
};

// A client socket bound to `source`, connected to 127.0.0.1:port (made inside the namespace).
Socket connectFrom(const char* source, uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return Socket();
  }
  return Socket(fd);
}

class TransparentMode : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "transparent mode needs root (ip netns, iptables); running as uid " << ::geteuid();
    if (!run("command -v ip") || !run("command -v iptables")) {
      GTEST_SKIP() << "ip or iptables is missing (apt-get install iproute2 iptables)";
    }
    netns_ = std::make_unique<Netns>();
    if (!netns_->ok()) GTEST_SKIP() << "cannot make a network namespace here (ip netns add failed)";

    ASSERT_TRUE(netns_->enter());
    // The service the client means to reach; it records who connected to it.
    echo_ = std::make_unique<TcpServer>([this](Socket& s) {
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      ::getpeername(s.fd(), reinterpret_cast<sockaddr*>(&peer), &len);
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
      {
        std::lock_guard<std::mutex> lock(peers_mutex_);
        peers_.emplace_back(text);
      }
      s.setReceiveTimeout(5s);
      char buf[4096];
      for (ssize_t n; (n = ::recv(s.fd(), buf, sizeof buf, 0)) > 0;) s.sendAll(buf, static_cast<std::size_t>(n));
      s.shutdownWrite();
    });
    ASSERT_TRUE(netns_->leave());

    ASSERT_TRUE(netns_->exec("iptables -t nat -A OUTPUT -p tcp -s " + std::string(kClientSource) + " --dport " +
                             std::to_string(echo_->port()) + " -j REDIRECT --to-ports " + std::to_string(kListenPort)))
        << "iptables REDIRECT in the namespace failed";
  }

  // Starts faultline inside the namespace with this rules file.
  void startFaultline(const std::string& rules) {
    rules_path_ = ::testing::TempDir() + "/transparent_rules_" + std::to_string(::getpid()) + ".yaml";
    std::ofstream(rules_path_) << rules;
    ASSERT_TRUE(netns_->enter());
    faultline_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        std::string(FAULTLINE_BIN_DIR) + "/faultline", "serve", "--port", "0", "--config", rules_path_});
    ASSERT_TRUE(netns_->leave());
    ASSERT_FALSE(faultline_->lineContaining("control API listening on", 10s).empty()) << faultline_->output();
  }

  // One echo round trip as the redirected client; returns what came back and how long it took.
  std::string roundTrip(const std::string& payload, std::chrono::milliseconds* took = nullptr) {
    EXPECT_TRUE(netns_->enter());
    const auto started = std::chrono::steady_clock::now();
    Socket client = connectFrom(kClientSource, echo_->port());
    EXPECT_TRUE(netns_->leave());
    if (!client.valid()) return "<connect failed>";
    client.sendAll(payload);
    client.shutdownWrite();
    std::string answer = client.readUntilClosed(10s);
    if (took) *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return answer;
  }

  void TearDown() override {
    faultline_.reset();
    echo_.reset();
    netns_.reset();
    if (!rules_path_.empty()) std::remove(rules_path_.c_str());
  }

  std::unique_ptr<Netns> netns_;
  std::unique_ptr<TcpServer> echo_;
  std::unique_ptr<ChildProcess> faultline_;
  std::string rules_path_;
  std::mutex peers_mutex_;
  std::vector<std::string> peers_;
};

std::string rulesWith(const std::string& toxics) {
  return "version: 1\nproxies:\n  - name: sidecar\n    listen: 127.0.0.1:" + std::to_string(kListenPort) +
         "\n    upstream: original-destination\n    toxics: " + toxics + "\n";
}

TEST_F(TransparentMode, ARedirectedConnectionReachesItsOriginalDestinationThroughTheProxy) {
  startFaultline(rulesWith("[]"));
  const std::string payload = randomBytes(64 * 1024, 7);
  std::string answer;
  for (int attempt = 0; attempt < 50 && answer != payload; ++attempt) {  // the rules load just after the API
    answer = roundTrip(payload);
    if (answer != payload) std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(answer.size(), payload.size());
  EXPECT_EQ(hashBytes(answer), hashBytes(payload)) << "bytes changed on the way";
  std::lock_guard<std::mutex> lock(peers_mutex_);
  ASSERT_FALSE(peers_.empty());
  EXPECT_NE(peers_.back(), kClientSource) << "the echo server was reached directly, not through Faultline";
}

TEST_F(TransparentMode, AToxicActsOnEveryRedirectedConnection) {
  startFaultline(rulesWith("\n      - {name: slow, type: latency, stream: downstream, attributes: {latency: 300}}"));
  std::string answer;
  std::chrono::milliseconds took{0};
  for (int attempt = 0; attempt < 50 && answer != "ping"; ++attempt) {
    answer = roundTrip("ping", &took);
    if (answer != "ping") std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(answer, "ping");
  EXPECT_GE(took.count(), 290) << "a 300 ms latency toxic on the transparent proxy";
}

TEST_F(TransparentMode, AConnectionMadeToTheListenerItselfIsClosedNotLoopedBack) {
  startFaultline(rulesWith("[]"));
  for (int attempt = 0; attempt < 50 && roundTrip("x") != "x"; ++attempt) std::this_thread::sleep_for(100ms);
  const auto before = echo_->connections();
  ASSERT_TRUE(netns_->enter());
  Socket direct = connectFrom("127.0.0.1", kListenPort);  // not redirected: no original destination
  ASSERT_TRUE(netns_->leave());
  ASSERT_TRUE(direct.valid());
  direct.sendAll("hello");
  EXPECT_EQ(direct.readUntilClosed(5s), "") << "the session must end without an upstream";
  EXPECT_EQ(echo_->connections(), before);
  EXPECT_TRUE(faultline_->running()) << faultline_->output();
}

}  // namespace
}  // namespace faultline::testing

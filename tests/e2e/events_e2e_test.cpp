// GET /events (Server-Sent Events) on the real binary: events arrive in order with a monotonic
// sequence number, ?proxy= filters, and a subscriber that never reads is cut off without slowing
// the data path or the API (issue 15, TESTS.md "Observers never brake").
#include <gtest/gtest.h>
#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>
#include <vector>

#include "support/serve_process.h"
#include "support/sockets.h"

namespace faultline::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Socket subscribe(uint16_t api_port, const std::string& query = "", int receive_buffer = 0) {
  Socket socket;
  if (receive_buffer > 0) {
    // A tiny receive buffer (set before connect) makes "never reads" fill up quickly.
    int raw = ::socket(AF_INET, SOCK_STREAM, 0);
    ::setsockopt(raw, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(api_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(raw, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return Socket();
    socket = Socket(raw);
  } else {
    socket = Socket::connectTo(api_port);
  }
  socket.sendAll("GET /events" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  return socket;
}

// Reads into `buffer` until it contains `needle` or the deadline passes.
bool readUntil(Socket& socket, std::string& buffer, const std::string& needle, std::chrono::milliseconds deadline) {
  const auto end = Clock::now() + deadline;
  while (buffer.find(needle) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{socket.fd(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(socket.fd(), chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

long rssKiB(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

uint64_t metric(ServeProcess& server, const std::string& name) {
  auto response = server.api("GET", "/metrics");
  if (!response.ok()) return 0;
  std::smatch m;
  std::regex re("\n" + name + " ([0-9]+)");
  if (!std::regex_search(response->body, m, re)) return 0;
  return std::stoull(m[1]);
}

TEST(Events, StreamCarriesApiAndConnectionEventsInOrder) {
  ServeProcess server;
  ASSERT_TRUE(server.ready()) << server.child().output();
  auto echo = TcpServer::echo();
  Socket sse = subscribe(server.apiPort());
  std::string buffer;
  ASSERT_TRUE(readUntil(sse, buffer, "faultline events after seq", 5s)) << buffer;
  EXPECT_NE(buffer.find("Content-Type: text/event-stream"), std::string::npos) << buffer;

  uint16_t port = server.createProxy("echo", echo.port());
  ASSERT_NE(port, 0);
  ASSERT_TRUE(server.addToxic("echo", {{"name", "lat"}, {"type", "latency"}, {"attributes", {{"latency", 1}}}}));
  {
    Socket client = Socket::connectTo(port);
    ASSERT_TRUE(client.sendAll("ping"));
    ASSERT_EQ(client.readExactly(4, 5s), "ping");
  }
  ASSERT_TRUE(readUntil(sse, buffer, "event: connection_closed", 5s)) << buffer;
  ASSERT_TRUE(server.api("DELETE", "/proxies/echo").ok());
  ASSERT_TRUE(readUntil(sse, buffer, "event: proxy_deleted", 5s)) << buffer;

  std::vector<std::string> types;
  std::vector<uint64_t> seqs;
  std::regex re("id: ([0-9]+)\nevent: ([a-z_]+)\ndata: \\{");
  for (std::sregex_iterator it(buffer.begin(), buffer.end(), re), end; it != end; ++it) {
    seqs.push_back(std::stoull((*it)[1]));
    types.push_back((*it)[2]);
  }
  const std::vector<std::string> expected = {"proxy_created", "toxic_added", "connection_opened", "connection_closed",
                                             "proxy_deleted"};
  EXPECT_EQ(types, expected) << buffer;
  for (std::size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1) << buffer;
  EXPECT_NE(buffer.find("\"reason\":\"done\""), std::string::npos) << buffer;
  EXPECT_NE(buffer.find("\"bytes\":{\"upstream\":4,\"downstream\":4}"), std::string::npos) << buffer;
}

TEST(Events, ProxyQueryFiltersAndBrowsersAreRefused) {
  ServeProcess server;
  ASSERT_TRUE(server.ready());
  auto echo = TcpServer::echo();
  Socket only_b = subscribe(server.apiPort(), "?proxy=b");
  std::string buffer;
  ASSERT_TRUE(readUntil(only_b, buffer, "faultline events after seq", 5s)) << buffer;
  ASSERT_NE(server.createProxy("a", echo.port()), 0);
  ASSERT_NE(server.createProxy("b", echo.port()), 0);
  ASSERT_TRUE(readUntil(only_b, buffer, "event: proxy_created", 5s)) << buffer;
  EXPECT_EQ(buffer.find("\"proxy\":\"a\""), std::string::npos) << buffer;
  EXPECT_NE(buffer.find("\"proxy\":\"b\""), std::string::npos) << buffer;

  Socket browser = Socket::connectTo(server.apiPort());
  browser.sendAll("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Mozilla/5.0\r\n\r\n");
  std::string answer;
  EXPECT_TRUE(readUntil(browser, answer, "User agent not allowed", 5s)) << answer;
  EXPECT_EQ(answer.rfind("HTTP/1.1 403", 0), 0u) << answer;
}

TEST(Events, SubscriberThatNeverReadsIsCutOffWithoutSlowingTraffic) {
  ServeProcess server;
  ASSERT_TRUE(server.ready());
  auto echo = TcpServer::echo();
  uint16_t port = server.createProxy("busy", echo.port());
  ASSERT_NE(port, 0);
  Socket stuck = subscribe(server.apiPort(), "", 4096);
  ASSERT_TRUE(stuck.valid());
  Socket reader = subscribe(server.apiPort());
  std::string reader_buffer;
  ASSERT_TRUE(readUntil(reader, reader_buffer, "faultline events after seq", 5s));
  const long rss_before = rssKiB(server.child().pid());
  // The reading subscriber reads all along (on its own thread) until the marker event.
  bool reader_saw_marker = false;
  std::thread reading([&] { reader_saw_marker = readUntil(reader, reader_buffer, "\"proxy\":\"after\"", 60s); });

  // 100 clients, each opening and closing connections: two events per connection.
  constexpr int kClients = 100;
  constexpr int kRounds = 25;
  std::atomic<int> good{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int r = 0; r < kRounds; ++r) {
        Socket s = Socket::connectTo(port);
        const std::string message = "client " + std::to_string(c) + " round " + std::to_string(r);
        if (s.sendAll(message) && s.readExactly(message.size(), 20s) == message) {
          ++good;
        } else {
          ++bad;
        }
      }
    });
  }
  // The API keeps answering while the stuck subscriber's queue fills.
  auto worst = 0ms;
  while (good + bad < kClients * kRounds / 2) {
    const auto start = Clock::now();
    auto response = server.api("GET", "/version");
    EXPECT_TRUE(response.ok());  // no ASSERT: the threads must be joined
    if (!response.ok()) break;
    worst = std::max(worst, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start));
    std::this_thread::sleep_for(20ms);
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(good.load(), kClients * kRounds) << "every byte through, in order, despite the stuck subscriber";
  EXPECT_LT(worst, 2000ms) << "the API stalled behind the event stream";

  // The stuck one was cut off (the server closed it); the reading one still gets events.
  EXPECT_GE(metric(server, "faultline_event_subscribers_cut_total"), 1u);
  EXPECT_GE(metric(server, "faultline_events_dropped_total"), 1u);
  ASSERT_NE(server.createProxy("after", echo.port()), 0);
  reading.join();
  EXPECT_TRUE(reader_saw_marker) << "the reading subscriber was cut too";
  int error = -1;
  stuck.readUntilClosed(20s, &error);
  EXPECT_NE(error, ETIMEDOUT) << "the stuck subscriber's connection was never closed";
  // Memory bounded: the cut subscriber's queue is gone; nothing grew with the event count.
  const long rss_after = rssKiB(server.child().pid());
  if (rss_before > 0 && rss_after > 0) {
    EXPECT_LT(rss_after - rss_before, 200 * 1024) << "KiB";
  }
}

}  // namespace
}  // namespace faultline::testing

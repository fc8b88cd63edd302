#include "bulk_server.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

namespace faultline::bench {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

struct Connection {
  Socket socket;
  uint64_t received_bytes = 0;
  std::vector<char> pending;  // echo bytes the kernel would not take yet
  std::size_t pending_offset = 0;
  bool peer_closed = false;
};

class BulkServer {
 public:
  BulkServer(const BulkServerOptions& options, Socket listener)
      : options_(options), listener_(std::move(listener)), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

  int run() {
    if (epoll_.fd() < 0) {
      std::perror("bench-bulk server: epoll_create1");
      return 1;
    }
    setNonBlocking(listener_.fd());
    watch(listener_.fd(), EPOLLIN, EPOLL_CTL_ADD);
    const auto stop_at = Clock::now() + options_.max_lifetime;
    std::array<epoll_event, 256> events{};
    while (g_stop == 0 && Clock::now() < stop_at) {
      int ready = ::epoll_wait(epoll_.fd(), events.data(), static_cast<int>(events.size()), 200);
      if (ready < 0 && errno != EINTR) {
        std::perror("bench-bulk server: epoll_wait");
        return 1;
      }
      for (int i = 0; i < ready; ++i) {
        int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == listener_.fd()) {
          acceptAll();
        } else {
          serve(fd, events[static_cast<std::size_t>(i)].events);
        }
      }
    }
    return 0;
  }

 private:
  void watch(int fd, uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    ::epoll_ctl(epoll_.fd(), op, fd, &event);
  }

  void acceptAll() {
    for (;;) {
      int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        // EMFILE would spin the loop: report once per wakeup and let the next poll retry.
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          std::fprintf(stderr, "bench-bulk server: accept: %s\n", std::strerror(errno));
        }
        return;
      }
      setNoDelay(fd);
      auto connection = std::make_unique<Connection>();
      connection->socket = Socket(fd);
      connections_.emplace(fd, std::move(connection));
      watch(fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_ADD);
    }
  }

  void close(int fd) {
    ::epoll_ctl(epoll_.fd(), EPOLL_CTL_DEL, fd, nullptr);
    connections_.erase(fd);
  }

  void serve(int fd, uint32_t events) {
    auto found = connections_.find(fd);
    if (found == connections_.end()) return;
    Connection& connection = *found->second;
    if ((events & EPOLLOUT) != 0 && !flush(connection)) return close(fd);
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 &&
        connection.pending.empty() && !connection.peer_closed) {
      if (!readAvailable(connection)) return close(fd);
    }
    if (connection.peer_closed && connection.pending.empty()) {
      if (options_.mode == BulkMode::kSink) {
        // 8 bytes into an idle socket's empty send buffer: a short write cannot happen here.
        uint64_t count = connection.received_bytes;
        ::send(fd, &count, sizeof count, MSG_NOSIGNAL);
      }
      ::shutdown(fd, SHUT_WR);
      return close(fd);
    }
    uint32_t wanted = connection.pending.empty() ? (EPOLLIN | EPOLLRDHUP) : EPOLLOUT;
    watch(fd, wanted, EPOLL_CTL_MOD);
  }

  // False when the connection failed and must close.
  bool readAvailable(Connection& connection) {
    for (int round = 0; round < 16; ++round) {  // bounded, so one fast sender cannot starve others
      ssize_t got = ::recv(connection.socket.fd(), buffer_.data(), buffer_.size(), 0);
      if (got == 0) {
        connection.peer_closed = true;
        return true;
      }
      if (got < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
      }
      connection.received_bytes += static_cast<uint64_t>(got);
      if (options_.mode == BulkMode::kEcho) {
        connection.pending.assign(buffer_.data(), buffer_.data() + got);
        connection.pending_offset = 0;
        if (!flush(connection)) return false;
        if (!connection.pending.empty()) return true;  // wait for EPOLLOUT before reading more
      }
    }
    return true;
  }

  bool flush(Connection& connection) {
    while (connection.pending_offset < connection.pending.size()) {
      ssize_t written = ::send(connection.socket.fd(),
                               connection.pending.data() + connection.pending_offset,
                               connection.pending.size() - connection.pending_offset, MSG_NOSIGNAL);
      if (written < 0) {
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
      }
      connection.pending_offset += static_cast<std::size_t>(written);
    }
    connection.pending.clear();
    connection.pending_offset = 0;
    return true;
  }

  BulkServerOptions options_;
  Socket listener_;
  Socket epoll_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::array<char, 256 * 1024> buffer_{};
};

}  // namespace

int runBulkServer(const BulkServerOptions& options) {
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  std::signal(SIGPIPE, SIG_IGN);
  Socket listener = listenOn(options.listen, 4096);
  std::printf("listening port=%u\n", static_cast<unsigned>(localPort(listener.fd())));
  std::fflush(stdout);
  auto server = std::make_unique<BulkServer>(options, std::move(listener));
  return server->run();
}

}  // namespace faultline::bench

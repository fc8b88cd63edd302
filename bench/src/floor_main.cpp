// bench-floor: the cheapest TCP relay we know how to write, to show where the floor of "CPU per
// proxied request" is on this machine. It does what any proxy must do per request and nothing
// else: one recv and one send per direction, edge-triggered epoll (no re-arming, no level
// re-polls), no timers, no parsing, no buffering beyond what a socket refused.
//
//   bench-floor --listen 127.0.0.1:PORT --upstream 127.0.0.1:PORT
//
// Not a proxy to use: it connects upstream with a blocking connect at accept, and it has no
// limits. run-bench prints its CPU per request next to Faultline's and haproxy's, so a ratio
// goal can be read against what no user-space change can go below.

#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "bench_socket.h"

namespace faultline::bench {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

sockaddr_in ipv4(const Endpoint& endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  if (inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr) != 1) {
    throw std::invalid_argument("bench-floor takes IPv4 addresses only, got '" + endpoint.host + "'");
  }
  return address;
}

// One direction: bytes read from `from` go to `to`; what `to` refused waits in `held` and the
// source is not read until it is gone (the kernel's buffers then push back on the sender).
struct Side {
  int fd = -1;
  Side* peer = nullptr;
  std::string held;
  bool readable = false;
};

// Freed after the batch of events: a later event of the same batch may name either side.
void closePair(int epoll_fd, Side* side, std::vector<Side*>& closed) {
  for (Side* s : {side, side->peer}) {
    if (s->fd < 0) continue;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, s->fd, nullptr);
    ::close(s->fd);
    s->fd = -1;
    closed.push_back(s);
  }
}

// Sends what `to` holds; true when it is empty.
bool flush(Side* to) {
  while (!to->held.empty()) {
    const ssize_t n = ::send(to->fd, to->held.data(), to->held.size(), MSG_NOSIGNAL);
    if (n < 0) return false;
    to->held.erase(0, static_cast<std::size_t>(n));
  }
  return true;
}

// Relays from `from` until it has nothing more or `to` is full. false: the pair is done.
bool relay(Side* from) {
  Side* to = from->peer;
  static char buf[64 * 1024];
  while (from->readable && to->held.empty()) {
    const ssize_t n = ::recv(from->fd, buf, sizeof buf, 0);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EAGAIN) from->readable = false;
      return errno == EAGAIN;
    }
    // A short read emptied the socket: with edge triggering, new data brings a new event.
    if (static_cast<std::size_t>(n) < sizeof buf) from->readable = false;
    const ssize_t sent = ::send(to->fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno != EAGAIN) return false;
    const std::size_t done = sent < 0 ? 0 : static_cast<std::size_t>(sent);
    if (done < static_cast<std::size_t>(n)) to->held.assign(buf + done, static_cast<std::size_t>(n) - done);
  }
  return true;
}

int run(const Endpoint& listen_at, const Endpoint& upstream) {
  const sockaddr_in listen_address = ipv4(listen_at);
  const sockaddr_in upstream_address = ipv4(upstream);
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener, reinterpret_cast<const sockaddr*>(&listen_address), sizeof listen_address) != 0 ||
      ::listen(listener, 1024) != 0) {
    std::fprintf(stderr, "bench-floor: listen %s:%u: %s\n", listen_at.host.c_str(), listen_at.port, std::strerror(errno));
    return 1;
  }
  const int epoll_fd = epoll_create1(0);
  epoll_event listen_event{};
  listen_event.events = EPOLLIN;
  listen_event.data.ptr = nullptr;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &listen_event);
  std::printf("ready listen=%s:%u\n", listen_at.host.c_str(), listen_at.port);
  std::fflush(stdout);
  std::vector<epoll_event> events(1024);
  std::vector<Side*> closed;
  while (g_stop == 0) {
    const int count = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 500);
    for (int i = 0; i < count; ++i) {
      auto* side = static_cast<Side*>(events[static_cast<std::size_t>(i)].data.ptr);
      if (side == nullptr) {
        for (;;) {
          const int client = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
          if (client < 0) break;
          const int server = ::socket(AF_INET, SOCK_STREAM, 0);
          if (::connect(server, reinterpret_cast<const sockaddr*>(&upstream_address), sizeof upstream_address) != 0) {
            ::close(server);
            ::close(client);
            continue;
          }
          fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK);
          auto* a = new Side;
          a->fd = client;
          auto* b = new Side;
          b->fd = server;
          a->peer = b;
          b->peer = a;
          for (Side* s : {a, b}) {
            setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            epoll_event event{};
            event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
            event.data.ptr = s;
            epoll_ctl(epoll_fd, EPOLL_CTL_ADD, s->fd, &event);
          }
        }
        continue;
      }
      if (side->fd < 0) continue;
      const uint32_t what = events[static_cast<std::size_t>(i)].events;
      if ((what & (EPOLLERR | EPOLLHUP)) != 0) {
        closePair(epoll_fd, side, closed);
        continue;
      }
      if ((what & (EPOLLIN | EPOLLRDHUP)) != 0) side->readable = true;
      // Writable: what this side held can go, and its peer may read again.
      bool ok = true;
      if ((what & EPOLLOUT) != 0 && !side->held.empty()) ok = flush(side) || errno == EAGAIN;
      if (ok && side->held.empty()) ok = relay(side->peer);
      if (ok) ok = relay(side);
      if (!ok) closePair(epoll_fd, side, closed);
    }
    for (Side* s : closed) delete s;
    closed.clear();
  }
  ::close(epoll_fd);
  ::close(listener);
  return 0;
}

}  // namespace
}  // namespace faultline::bench

int main(int argc, char** argv) {
  CLI::App app{"bench-floor: a minimal edge-triggered relay, the floor of CPU per proxied request"};
  std::string listen_at;
  std::string upstream;
  app.add_option("--listen", listen_at, "where to listen (127.0.0.1:PORT)")->required();
  app.add_option("--upstream", upstream, "where to relay to (127.0.0.1:PORT)")->required();
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGTERM, faultline::bench::onSignal);
  std::signal(SIGINT, faultline::bench::onSignal);
  try {
    return faultline::bench::run(faultline::bench::parseEndpoint(listen_at), faultline::bench::parseEndpoint(upstream));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench-floor: %s\n", error.what());
    return 2;
  }
}

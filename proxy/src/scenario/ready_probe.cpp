#include "scenario/ready_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace faultline::scenario {

namespace {

struct Probe {
  uv_tcp_t tcp{};
  uv_connect_t connect{};
  std::function<void(bool)> done;
  bool result = false;
};

void closeProbe(Probe* probe) {
  uv_close(reinterpret_cast<uv_handle_t*>(&probe->tcp), [](uv_handle_t* h) {
    auto* p = static_cast<Probe*>(h->data);
    auto done = std::move(p->done);
    const bool result = p->result;
    delete p;
    if (done) done(result);
  });
}

}  // namespace

void probeTcpPort(uv_loop_t* loop, const std::string& host, uint16_t port, std::function<void(bool)> done) {
  auto* probe = new Probe();
  probe->done = std::move(done);
  uv_tcp_init(loop, &probe->tcp);
  probe->tcp.data = probe;
  probe->connect.data = probe;
  sockaddr_storage address{};
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&address)) != 0 &&
      uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&address)) != 0) {
    closeProbe(probe);
    return;
  }
  const int rc = uv_tcp_connect(&probe->connect, &probe->tcp, reinterpret_cast<const sockaddr*>(&address),
                                [](uv_connect_t* req, int status) {
                                  auto* p = static_cast<Probe*>(req->data);
                                  p->result = status == 0;
                                  closeProbe(p);
                                });
  if (rc != 0) closeProbe(probe);
}

Result<uint16_t> freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::io("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) return Error::io("cannot bind a free port on 127.0.0.1");
  return ntohs(address.sin_port);
}

}  // namespace faultline::scenario

#include "scenario/ready_probe.h"

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

}  // namespace faultline::scenario

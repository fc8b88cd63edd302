#include "net/dialer.h"

#include <string>

namespace faultline {

Dialer::~Dialer() {
  if (deadline_ != nullptr && timer_ != 0) deadline_->cancel(timer_);
}

void Dialer::start(uv_loop_t* loop, uv_tcp_t* tcp, const HostPort& target, Done done, Scheduler* deadline,
                   Duration timeout) {
  loop_ = loop;
  tcp_ = tcp;
  done_ = std::move(done);
  deadline_ = deadline;
  if (deadline_ != nullptr && timeout > Duration::zero()) {
    timer_ = deadline_->after(timeout, [this] {
      timer_ = 0;
      if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_req_));
      finish({UV_ETIMEDOUT, Stage::kTimeout, address_});
    });
  }
  if (auto numeric = numericSockaddr(target)) {
    connect(reinterpret_cast<const sockaddr*>(&*numeric));
    return;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  resolve_req_.data = this;
  const std::string port = std::to_string(target.port);
  if (int rc = uv_getaddrinfo(loop_, &resolve_req_, &Dialer::onResolved, target.host.c_str(), port.c_str(), &hints);
      rc < 0) {
    finish({rc, Stage::kResolve, ""});
    return;
  }
  resolving_ = true;
}

void Dialer::onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) noexcept {
  auto* self = static_cast<Dialer*>(req->data);
  self->resolving_ = false;
  if (self->finished_) {
    uv_freeaddrinfo(res);
    if (self->on_settled_) self->on_settled_();  // may be the last thing the owner waited for
    return;
  }
  if (status < 0 || res == nullptr) {
    uv_freeaddrinfo(res);
    self->finish({status < 0 ? status : UV_EAI_NONAME, Stage::kResolve, ""});
    return;
  }
  self->connect(res->ai_addr);
  uv_freeaddrinfo(res);
}

void Dialer::connect(const sockaddr* address) {
  address_ = formatSockaddr(address);
  connect_req_.data = this;
  if (int rc = uv_tcp_connect(&connect_req_, tcp_, address, &Dialer::onConnect); rc < 0) {
    finish({rc, Stage::kConnect, address_});
  }
}

void Dialer::onConnect(uv_connect_t* req, int status) noexcept {
  auto* self = static_cast<Dialer*>(req->data);
  if (self->finished_ || status == UV_ECANCELED) return;
  self->finish({status, Stage::kConnect, self->address_});
}

void Dialer::cancel() {
  if (finished_) return;
  finished_ = true;
  done_ = nullptr;
  if (deadline_ != nullptr && timer_ != 0) deadline_->cancel(timer_);
  timer_ = 0;
  if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_req_));
}

void Dialer::finish(Outcome outcome) {
  if (finished_) return;
  finished_ = true;
  if (deadline_ != nullptr && timer_ != 0) deadline_->cancel(timer_);
  timer_ = 0;
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(outcome);
}

}  // namespace faultline

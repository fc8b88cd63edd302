#include <utility>

#include "http/http_connection.h"
#include "http/http_server.h"

namespace faultline {

HttpResponder::HttpResponder(std::weak_ptr<detail::HttpConnectionToken> token, uint64_t request_id)
    : token_(std::move(token)), request_id_(request_id), pending_(true) {}

HttpResponder::HttpResponder(HttpResponder&& other) noexcept
    : token_(std::move(other.token_)), request_id_(other.request_id_), pending_(other.pending_) {
  other.pending_ = false;
}

HttpResponder& HttpResponder::operator=(HttpResponder&& other) noexcept {
  if (this != &other) {
    if (pending_) respond(httpErrorResponse(500, "request dropped without a response"));
    token_ = std::move(other.token_);
    request_id_ = other.request_id_;
    pending_ = other.pending_;
    other.pending_ = false;
  }
  return *this;
}

HttpResponder::~HttpResponder() {
  if (pending_) respond(httpErrorResponse(500, "request dropped without a response"));
}

void HttpResponder::respond(HttpResponse response) {
  if (!pending_) return;
  pending_ = false;
  auto token = token_.lock();
  if (!token || token->connection == nullptr) return;
  token->connection->respond(request_id_, std::move(response));
}

bool HttpResponder::connected() const {
  auto token = token_.lock();
  return token && token->connection != nullptr && !token->connection->peerClosed();
}

std::string HttpResponder::peer() const {
  auto token = token_.lock();
  if (!token || token->connection == nullptr) return {};
  return token->connection->peer();
}

}  // namespace faultline

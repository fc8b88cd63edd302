// Streamed responses (Server-Sent Events): HttpResponder::startStream and HttpEventStream.
#include <utility>

#include "http/http_connection.h"
#include "http/http_log.h"
#include "http/http_server_impl.h"
#include "http/http_wire.h"
#include "http/http_server.h"

namespace faultline {

HttpEventStream HttpResponder::startStream(HttpResponse head) {
  if (!pending_) return {};
  pending_ = false;
  auto token = token_.lock();
  if (!token || token->connection == nullptr) return {};
  if (!token->connection->startStream(request_id_, head)) return {};
  return HttpEventStream(token_);
}

bool HttpConnection::startStream(uint64_t request_id, const HttpResponse& head) {
  if (!awaiting(request_id)) return false;
  // in_flight_ stays set: no further request is parsed and no timer runs while it streams.
  streaming_ = true;
  // A small kernel buffer so a reader that stops reading shows up in queuedBytes() soon.
  int send_buffer = 64 * 1024;
  uv_send_buffer_size(reinterpret_cast<uv_handle_t*>(&tcp_), &send_buffer);
  last_response_ = true;
  std::string out = "HTTP/1.1 " + std::to_string(head.status) + " " + reasonPhrase(head.status) + "\r\n";
  for (const auto& [name, value] : head.headers) out += name + ": " + value + "\r\n";
  out += "Connection: close\r\n\r\n";
  httpLog().debug("stream started server={} conn={} method={} path={} status={}", server_.options().name, id_, method_,
                  path_, head.status);
  if (!streamWrite(std::move(out))) return false;
  startReading();  // to see the reader go (EOF) while nothing else is read
  return true;
}

bool HttpConnection::streamWrite(std::string bytes) {
  if (closing_ || !streaming_) return false;
  stream_queued_bytes_ += bytes.size();
  write(std::move(bytes));
  return !closing_;
}

bool HttpEventStream::send(std::string bytes) {
  auto token = token_.lock();
  if (!token || token->connection == nullptr) return false;
  return token->connection->streamWrite(std::move(bytes));
}

std::size_t HttpEventStream::queuedBytes() const {
  auto token = token_.lock();
  if (!token || token->connection == nullptr) return 0;
  return token->connection->streamQueuedBytes();
}

bool HttpEventStream::open() const {
  auto token = token_.lock();
  return token && token->connection != nullptr;
}

void HttpEventStream::close() {
  auto token = token_.lock();
  if (token && token->connection != nullptr) token->connection->close();
}

}  // namespace faultline

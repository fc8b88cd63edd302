#pragma once

// Blocking-socket helpers shared by the bench tools. The tools are deliberately independent of
// faultline_net: they measure the proxy from outside, the way any other client would, and they
// keep building while the proxy's own code is mid-change.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace faultline::bench {

using Clock = std::chrono::steady_clock;

// "127.0.0.1:8080" or "[::1]:8080"; numeric addresses only (benchmarks never resolve names).
struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// Throws std::invalid_argument naming the text and the expected form.
Endpoint parseEndpoint(const std::string& text);

// A socket fd that closes itself.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const { return fd_; }
  int release();

 private:
  int fd_ = -1;
};

// Every blocking call below waits at most until `deadline` and throws std::runtime_error
// ("<what> to <endpoint>: <reason>") on error or timeout, so a stuck proxy fails the run.
Socket connectTo(const Endpoint& endpoint, Clock::time_point deadline);
Socket listenOn(const Endpoint& endpoint, int backlog);
uint16_t localPort(int fd);
void setNoDelay(int fd);
void setNonBlocking(int fd);

void writeAll(int fd, const void* data, std::size_t size, Clock::time_point deadline);
// Reads exactly `size` bytes; throws if the peer closes first.
void readExact(int fd, void* data, std::size_t size, Clock::time_point deadline);
// Reads up to `size` bytes (at least 1); returns 0 at EOF.
std::size_t readSome(int fd, void* data, std::size_t size, Clock::time_point deadline);

// "2GiB", "64KiB", "1MB", "4096" → bytes. Throws std::invalid_argument otherwise.
uint64_t parseByteSize(const std::string& text);

}  // namespace faultline::bench

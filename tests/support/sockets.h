#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace faultline::testing {

using std::chrono::milliseconds;

// Blocking client sockets with deadlines: a test that would hang fails instead.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  ~Socket();

  static Socket connectTo(uint16_t port, const std::string& host = "127.0.0.1");
  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  bool sendAll(const std::string& data);
  bool sendAll(const char* data, std::size_t size);
  void shutdownWrite();
  void close();
  void setReceiveTimeout(milliseconds timeout);

  // Reads until EOF, error or deadline. `error` receives errno (ECONNRESET...) or 0 on EOF,
  // ETIMEDOUT when the deadline passed first.
  std::string readUntilClosed(milliseconds deadline, int* error = nullptr);
  // Reads exactly n bytes or fails at the deadline (returns what it has).
  std::string readExactly(std::size_t n, milliseconds deadline);

 private:
  int fd_ = -1;
};

// A listener on 127.0.0.1:0 running a handler per accepted connection on its own thread.
class TcpServer {
 public:
  using Handler = std::function<void(Socket&)>;
  explicit TcpServer(Handler handler);
  ~TcpServer();
  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

  static TcpServer echo();                 // writes back what it reads, shuts down after EOF
  static TcpServer sink();                 // reads and discards until EOF

 private:
  void acceptLoop();
  Handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
  std::vector<std::thread> workers_;
  std::vector<int> client_fds_;
  std::mutex* mutex_;
};

// A port on 127.0.0.1 that nobody listens on (bound then closed).
uint16_t unusedPort();

// A socket listening on 127.0.0.1 at an ephemeral port (written to *port); -1 on failure.
int listenOnLoopback(int backlog, uint16_t* port);

// A listener on 127.0.0.1:0 that nobody accepts on, held until release() or destruction:
// "the port is in use".
class HeldPort {
 public:
  HeldPort() : fd_(listenOnLoopback(1, &port_)) {}
  ~HeldPort() { release(); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  void release();
  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  uint16_t port_ = 0;
  int fd_ = -1;
};

std::string randomBytes(std::size_t size, uint64_t seed);
// FNV-1a 64: enough to tell two 64 MiB streams apart in a test message.
uint64_t hashBytes(const std::string& data);

}  // namespace faultline::testing

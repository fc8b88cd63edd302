#pragma once
// faultline/api_client.hpp -- the one client of Faultline's (and Toxiproxy's) REST API.
//
// Used by the `faultline` CLI and by faultline/testing.hpp alike, and installed with them, so it
// depends on nothing but POSIX sockets and nlohmann/json: one blocking HTTP/1.1 request per call
// (Connection: close), a deadline over connect, send and receive, Content-Length or chunked
// bodies. Never call it from an event-loop callback: it blocks.

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace faultline::api {

// Where the API is: "http://localhost:8474/base" split into its parts.
struct Endpoint {
  std::string host;       // "localhost", "127.0.0.1", "::1" (no brackets)
  uint16_t port = 8474;
  std::string base_path;  // "" or "/base" (never a trailing '/')

  std::string hostHeader() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
  std::string toString() const { return "http://" + hostHeader() + base_path; }
};

// Accepts "http://host[:port][/path]" and "host:port[/path]" (port 8474 when absent). nullopt
// with `error` set to what is wrong and what is expected.
inline std::optional<Endpoint> parseEndpoint(const std::string& url, std::string& error) {
  std::string rest = url;
  if (const auto scheme = rest.find("://"); scheme != std::string::npos) {
    const std::string name = rest.substr(0, scheme);
    if (name != "http") {
      error = "unsupported scheme '" + name + "' in '" + url + "'; expected http://host:port";
      return std::nullopt;
    }
    rest = rest.substr(scheme + 3);
  }
  Endpoint out;
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.base_path = rest.substr(slash);
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      error = "unclosed '[' in '" + url + "'; expected http://[::1]:8474";
      return std::nullopt;
    }
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        error = "unexpected text after ']' in '" + url + "'";
        return std::nullopt;
      }
      port_text = authority.substr(close + 2);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
    out.host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  } else {
    out.host = authority;
  }
  if (out.host.empty()) {
    error = "no host in '" + url + "'; expected http://host:port";
    return std::nullopt;
  }
  if (!port_text.empty()) {
    char* end = nullptr;
    const unsigned long port = std::strtoul(port_text.c_str(), &end, 10);
    if (*end != '\0' || port == 0 || port > 65535) {
      error = "bad port '" + port_text + "' in '" + url + "'; expected 1-65535";
      return std::nullopt;
    }
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

// Why a request got no answer. The message is one line a user can act on.
struct Failure {
  enum class Kind { kResolve, kRefused, kTimeout, kIo, kMalformed };
  Kind kind = Kind::kIo;
  std::string message;
};

struct Reply {
  int status = 0;
  nlohmann::json body;  // parsed JSON; null for an empty or non-JSON body
  std::string text;     // the raw body (/metrics is not JSON)

  bool ok() const { return status >= 200 && status <= 299; }
  // The API's own error text ({"error": ...}), or "HTTP 500: <body>".
  std::string errorText() const {
    if (body.is_object() && body.contains("error") && body["error"].is_string()) return body["error"].get<std::string>();
    std::string out = "HTTP " + std::to_string(status);
    if (!text.empty() && text.size() < 200) out += ": " + text;
    return out;
  }
};

// Percent-encodes a proxy or toxic name for one URL path segment.
inline std::string encodePathSegment(const std::string& segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : segment) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_' || c == '.' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace detail {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_;
};

using Clock = std::chrono::steady_clock;

inline int msLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline; false on timeout.
inline bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, msLeft(deadline));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

// Connects to the first address of `host` that accepts. Non-blocking, so the deadline holds.
inline std::variant<Fd, Failure> dial(const Endpoint& to, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(to.port);
  if (const int rc = ::getaddrinfo(to.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Failure{Failure::Kind::kResolve, "cannot resolve '" + to.host + "': " + ::gai_strerror(rc)};
  }
  Failure last{Failure::Kind::kIo, "no address for '" + to.host + "'"};
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (fd.get() < 0) {
      last = {Failure::Kind::kIo, std::string("socket: ") + std::strerror(errno)};
      continue;
    }
    int err = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      if (!waitFor(fd.get(), POLLOUT, deadline)) {
        last = {Failure::Kind::kTimeout, "connect timed out"};
        continue;
      }
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if (err == 0) {
      ::freeaddrinfo(found);
      return fd;
    }
    last = {err == ECONNREFUSED ? Failure::Kind::kRefused : Failure::Kind::kIo,
            err == ECONNREFUSED ? std::string("connection refused") : std::string(std::strerror(err))};
  }
  ::freeaddrinfo(found);
  return last;
}

inline std::optional<Failure> sendAll(int fd, const std::string& data, Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!waitFor(fd, POLLOUT, deadline)) return Failure{Failure::Kind::kTimeout, "timed out sending the request"};
    } else {
      return Failure{Failure::Kind::kIo, std::string("send: ") + std::strerror(errno)};
    }
  }
  return std::nullopt;
}

// Decodes a chunked body; nullopt while it is incomplete or when it is malformed (`bad` set).
inline std::optional<std::string> dechunk(const std::string& raw, bool& bad) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const auto eol = raw.find("\r\n", pos);
    if (eol == std::string::npos) return std::nullopt;
    char* end = nullptr;
    const unsigned long size = std::strtoul(raw.c_str() + pos, &end, 16);
    if (end == raw.c_str() + pos) {
      bad = true;
      return std::nullopt;
    }
    pos = eol + 2;
    if (size == 0) return out;
    if (raw.size() < pos + size + 2) return std::nullopt;
    out.append(raw, pos, size);
    pos += size + 2;
  }
}

// Reads one response (status, headers, body) until it is complete or the peer closes.
inline std::variant<Reply, Failure> receive(int fd, Clock::time_point deadline) {
  std::string data;
  std::optional<std::size_t> body_at;
  std::optional<std::size_t> content_length;
  bool chunked = false;
  Reply reply;
  char chunk[16 * 1024];
  for (;;) {
    if (!body_at) {
      if (const auto end = data.find("\r\n\r\n"); end != std::string::npos) {
        body_at = end + 4;
        const std::string head = data.substr(0, end);
        if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) {
          return Failure{Failure::Kind::kMalformed, "not an HTTP response: " + head.substr(0, 60)};
        }
        reply.status = std::atoi(head.c_str() + 9);
        std::string lower = head;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (const auto cl = lower.find("\r\ncontent-length:"); cl != std::string::npos) {
          content_length = std::strtoull(lower.c_str() + cl + 17, nullptr, 10);
        }
        chunked = lower.find("\r\ntransfer-encoding: chunked") != std::string::npos;
      }
    }
    if (body_at) {
      const std::string body = data.substr(*body_at);
      if (chunked) {
        bool bad = false;
        if (auto decoded = dechunk(body, bad)) {
          reply.text = std::move(*decoded);
          return reply;
        }
        if (bad) return Failure{Failure::Kind::kMalformed, "bad chunked body"};
      } else if (content_length && body.size() >= *content_length) {
        reply.text = body.substr(0, *content_length);
        return reply;
      } else if (reply.status == 204 || reply.status == 304) {
        return reply;
      }
    }
    if (!waitFor(fd, POLLIN, deadline)) return Failure{Failure::Kind::kTimeout, "timed out waiting for the answer"};
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n > 0) {
      data.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      // Closed: a body without a length ends here; anything else is cut short.
      if (body_at && !chunked && !content_length) {
        reply.text = data.substr(*body_at);
        return reply;
      }
      return Failure{Failure::Kind::kIo, "connection closed before a full answer"};
    } else if (errno != EAGAIN && errno != EINTR) {
      return Failure{Failure::Kind::kIo, std::string("recv: ") + std::strerror(errno)};
    }
  }
}

}  // namespace detail

// One blocking request per call; JSON in, JSON (or text) out. An answer with any status is a
// Reply: the caller decides what a 404 means.
class Client {
 public:
  explicit Client(Endpoint endpoint, std::string token = "",
                  std::chrono::milliseconds timeout = std::chrono::seconds(10), std::string user_agent = "faultline")
      : endpoint_(std::move(endpoint)), token_(std::move(token)), timeout_(timeout), user_agent_(std::move(user_agent)) {}

  std::variant<Reply, Failure> send(const std::string& method, const std::string& path,
                                    const nlohmann::json* body = nullptr) const {
    const auto deadline = detail::Clock::now() + timeout_;
    auto dialled = detail::dial(endpoint_, deadline);
    if (auto* failure = std::get_if<Failure>(&dialled)) return *failure;
    const detail::Fd fd = std::move(std::get<detail::Fd>(dialled));

    std::string request = method + " " + endpoint_.base_path + path + " HTTP/1.1\r\nHost: " + endpoint_.hostHeader() +
                          "\r\nUser-Agent: " + user_agent_ + "\r\nAccept: application/json\r\nConnection: close\r\n";
    if (!token_.empty()) request += "Authorization: Bearer " + token_ + "\r\n";
    std::string payload;
    if (body != nullptr) {
      payload = body->dump();
      request += "Content-Type: application/json\r\n";
    }
    if (body != nullptr || method == "POST" || method == "PATCH" || method == "PUT") {
      request += "Content-Length: " + std::to_string(payload.size()) + "\r\n";
    }
    request += "\r\n" + payload;
    if (auto failure = detail::sendAll(fd.get(), request, deadline)) return *failure;

    auto received = detail::receive(fd.get(), deadline);
    if (auto* reply = std::get_if<Reply>(&received); reply != nullptr && !reply->text.empty()) {
      reply->body = nlohmann::json::parse(reply->text, nullptr, /*allow_exceptions=*/false);
      if (reply->body.is_discarded()) reply->body = nullptr;
    }
    return received;
  }

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  std::string token_;
  std::chrono::milliseconds timeout_;
  std::string user_agent_;
};

}  // namespace faultline::api

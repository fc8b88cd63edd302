#pragma once
// faultline/testing/events.hpp -- wait for what the server says happened (GET /events) instead
// of polling the API in a loop.
//
//   auto events = faultline.events();                  // subscribed from here on
//   proxy.addToxic(ft::httpAbort(503).named("boom"));
//   call_the_service();
//   auto fault = events.waitFor("fault_injected", [](const nlohmann::json& e) {
//     return e.value("toxic", "") == "boom";
//   });                                                 // throws after 5 s with what it saw
//
// The stream sees events published after events() returned (the server confirms the
// subscription before it returns), so subscribe before the action whose event you wait for.
// Events that waitFor passes over stay queued for later waits. Blocking, like the rest of
// faultline/testing.hpp; never call it from an event-loop callback.

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <string>
#include <utility>

#include "faultline/api_client.hpp"
#include "faultline/testing/error.hpp"

namespace faultline::testing {

class EventStream {
 public:
  using Predicate = std::function<bool(const nlohmann::json&)>;
  static constexpr std::size_t kMaxQueued = 10'000;  // oldest unclaimed events go beyond this

  // GET /events[?proxy=NAME] on `url`; returns once the server has registered the subscriber.
  static EventStream subscribe(const api::Endpoint& url, const std::string& proxy = "", const std::string& token = "",
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000)) {
    EventStream stream;
    stream.where_ = url.toString() + "/events" + (proxy.empty() ? "" : " (proxy " + proxy + ")");
    const auto deadline = api::detail::Clock::now() + timeout;
    auto dialled = api::detail::dial(url, deadline);
    if (auto* failure = std::get_if<api::Failure>(&dialled)) {
      throw FaultlineError("GET " + stream.where_ + ": " + failure->message);
    }
    stream.fd_ = std::move(std::get<api::detail::Fd>(dialled));
    std::string request = "GET " + url.base_path + "/events" +
                          (proxy.empty() ? "" : "?proxy=" + api::encodePathSegment(proxy)) +
                          " HTTP/1.1\r\nHost: " + url.hostHeader() +
                          "\r\nUser-Agent: faultline-testing\r\nAccept: text/event-stream\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    request += "\r\n";
    if (auto failure = api::detail::sendAll(stream.fd_.get(), request, deadline)) {
      throw FaultlineError("GET " + stream.where_ + ": " + failure->message);
    }
    // The status line and headers, then the server's first comment line: from then on the
    // subscriber is registered and nothing published later is missed.
    while (stream.buffer_.find("\r\n\r\n") == std::string::npos) {
      if (!stream.readSome(deadline)) throw FaultlineError("GET " + stream.where_ + ": " + stream.closedWhy("no answer"));
    }
    const auto head_end = stream.buffer_.find("\r\n\r\n");
    const std::string head = stream.buffer_.substr(0, head_end);
    stream.buffer_.erase(0, head_end + 4);
    const int status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
    if (status != 200) {
      // The error body follows; read what comes (the server closes after it) for the message.
      while (stream.readSome(api::detail::Clock::now() + std::chrono::milliseconds(500))) {}
      throw FaultlineError("GET " + stream.where_ + ": HTTP " + std::to_string(status) + ": " + stream.buffer_);
    }
    while (stream.buffer_.find("\n\n") == std::string::npos) {
      if (!stream.readSome(deadline)) {
        throw FaultlineError("GET " + stream.where_ + ": " + stream.closedWhy("no confirmation of the subscription"));
      }
    }
    stream.buffer_.erase(0, stream.buffer_.find("\n\n") + 2);
    return stream;
  }

  EventStream(EventStream&&) = default;
  EventStream& operator=(EventStream&&) = default;

  // The first queued or arriving event of `type` for which `pred` holds (any when unset), taken
  // off the queue. Throws FaultlineError at the timeout, naming what did arrive.
  nlohmann::json waitFor(const std::string& type, const Predicate& pred,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000)) {
    const auto deadline = api::detail::Clock::now() + timeout;
    parseFrames();  // what arrived with the subscription's confirmation
    std::size_t checked = 0;
    for (;;) {
      for (; checked < queued_.size(); ++checked) {
        const nlohmann::json& event = queued_[checked];
        if (event.value("type", "") != type || (pred && !pred(event))) continue;
        nlohmann::json found = event;
        queued_.erase(queued_.begin() + static_cast<std::ptrdiff_t>(checked));
        return found;
      }
      if (!readSome(deadline)) {
        // poll() counts whole milliseconds: wake early by a fraction, and wait out the rest.
        if (!closed_ && api::detail::Clock::now() < deadline) continue;
        throw FaultlineError(noMatch(type, static_cast<bool>(pred), timeout));
      }
      const std::size_t before = queued_.size();
      parseFrames();
      // Events dropped from the front to honour kMaxQueued shift the indexes already checked.
      if (queued_.size() < before) checked = 0;
    }
  }
  nlohmann::json waitFor(const std::string& type, std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000)) {
    return waitFor(type, Predicate{}, timeout);
  }

  // Events received and not yet taken by waitFor, oldest first (reads what has already arrived).
  const std::deque<nlohmann::json>& pending() {
    while (!closed_ && readSome(api::detail::Clock::now())) parseFrames();
    return queued_;
  }

 private:
  EventStream() = default;

  // Reads what arrives before the deadline; false on timeout or when the server closed.
  bool readSome(api::detail::Clock::time_point deadline) {
    if (closed_ || !api::detail::waitFor(fd_.get(), POLLIN, deadline)) return false;
    char chunk[16 * 1024];
    const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    closed_ = true;
    return false;
  }

  // Complete frames ("id: N\nevent: T\ndata: {...}\n\n") become queued events.
  void parseFrames() {
    std::size_t end;
    while ((end = buffer_.find("\n\n")) != std::string::npos) {
      const std::string frame = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      const auto data = frame.find("data: ");
      if (data == std::string::npos) continue;  // a comment line
      auto event = nlohmann::json::parse(frame.substr(data + 6, frame.find('\n', data) - data - 6), nullptr, false);
      if (event.is_discarded() || !event.is_object()) continue;
      last_seq_ = event.value("seq", last_seq_);
      queued_.push_back(std::move(event));
      if (queued_.size() > kMaxQueued) queued_.pop_front();
    }
  }

  std::string closedWhy(const std::string& what) const {
    return closed_ ? what + ": the server closed the connection" : what + " in time";
  }

  std::string noMatch(const std::string& type, bool filtered, std::chrono::milliseconds timeout) const {
    std::string out = "no " + type + " event" + (filtered ? " matching the predicate" : "") + " on " + where_ +
                      (closed_ ? ": the server closed the stream after seq " + std::to_string(last_seq_) +
                                     " (cut off for not reading fast enough, or the server stopped)"
                               : " within " + std::to_string(timeout.count()) + " ms");
    out += "; unclaimed events: ";
    if (queued_.empty()) out += "none";
    const std::size_t first = queued_.size() > 8 ? queued_.size() - 8 : 0;
    if (first > 0) out += "... ";
    for (std::size_t i = first; i < queued_.size(); ++i) {
      out += (i > first ? ", " : "") + queued_[i].value("type", std::string("?")) + " #" +
             std::to_string(queued_[i].value("seq", uint64_t{0}));
    }
    return out;
  }

  std::string where_;
  api::detail::Fd fd_;
  std::string buffer_;
  std::deque<nlohmann::json> queued_;
  uint64_t last_seq_ = 0;
  bool closed_ = false;
};

}  // namespace faultline::testing

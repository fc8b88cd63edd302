#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string>

#include "http/llhttp_machine.h"
#include "toxics/http/http_head.h"

namespace faultline {

// Marks message boundaries in one direction of an HTTP/1.x byte stream without copying it: the
// caller hands in bytes and gets back how many of them belong to the current part (head, body)
// and what ended it. llhttp pauses at every head and message end, so the caller can decide what
// to do with a message (hold it, answer it, cut it) before a single byte of the next is framed.
// Pipelined messages in one chunk, a message split at every byte, chunked bodies, 1xx interim
// responses, HEAD and CONNECT answers and Upgrade all frame as they do for a server.
class HttpFramer {
 public:
  enum class Mode { kRequest, kResponse };
  enum class Event {
    kNeedMore,    // all `consumed` bytes belong to the current part; feed more
    kHead,        // the head ended after `consumed` bytes; head() holds it
    kMessageEnd,  // the message ended after `consumed` bytes
    kUpgrade,     // the message ended after `consumed` bytes; what follows is another protocol
    kError,       // not HTTP/1.x (or broken) at `consumed`; error() says why; the framer stays failed
  };
  struct Step {
    Event event;
    std::size_t consumed;
  };

  explicit HttpFramer(Mode mode, std::size_t max_head_bytes = 64 * 1024);
  ~HttpFramer() = default;
  HttpFramer(const HttpFramer&) = delete;
  HttpFramer& operator=(const HttpFramer&) = delete;

  // Frames a prefix of [data, data + size) up to the next event. Call again with the rest.
  Step step(const char* data, std::size_t size);
  // The peer closed: ends a response whose body runs to EOF (kMessageEnd), else kNeedMore, or
  // kError when a message was cut short.
  Step finish();

  // Response mode, right after kHead: the answer to a HEAD request has no body; a 2xx answer
  // to CONNECT turns the connection into a tunnel.
  void skipBody();
  void upgradeAfterHead();

  const HttpHead& head() const { return head_; }
  HttpHead takeHead() { return std::move(head_); }
  bool inMessage() const { return in_message_; }
  bool inHead() const { return in_message_ && !head_done_; }
  const std::string& error() const { return error_; }
  bool failed() const { return failed_; }

 private:
  static llhttp_settings_t hooks();
  static int onMessageBegin(llhttp_t* p);
  static int onUrl(llhttp_t* p, const char* at, std::size_t length);
  static int onHeaderField(llhttp_t* p, const char* at, std::size_t length);
  static int onHeaderValue(llhttp_t* p, const char* at, std::size_t length);
  static int onHeadersComplete(llhttp_t* p);
  static int onMessageComplete(llhttp_t* p);
  int countHead(std::size_t length);
  void pushHeader();

  Mode mode_;
  std::size_t max_head_bytes_;
  LlhttpMachine llhttp_;
  HttpHead head_;
  std::string field_;
  std::string value_;
  bool in_value_ = false;
  std::size_t head_bytes_ = 0;
  bool in_message_ = false;
  bool head_done_ = false;
  bool paused_for_head_ = false;
  bool paused_for_end_ = false;
  bool failed_ = false;
  std::string error_;
};

}  // namespace faultline

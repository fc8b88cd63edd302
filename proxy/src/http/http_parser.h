#pragma once

#include <llhttp.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_message.h"
#include "http/llhttp_machine.h"

namespace faultline {

struct HttpParserLimits {
  std::size_t max_url_bytes = 8 * 1024;         // request target; over it -> 414
  std::size_t max_header_bytes = 16 * 1024;     // all header names + values; over it -> 431
  std::size_t max_body_bytes = 1024 * 1024;     // decoded body; over it -> 413
};

// Why a byte stream was rejected. `status` is what a server answers with (400, 413, 414, 431);
// `reason` is llhttp's explanation or ours, e.g. "Invalid method encountered" (HPE_INVALID_METHOD).
struct HttpParseError {
  int status = 400;
  std::string reason;
};

// One parsed message. Request mode fills `request`; response mode fills `response`.
struct HttpParsedMessage {
  HttpRequest request;
  HttpResponse response;
  bool keep_alive = false;  // llhttp_should_keep_alive(): HTTP/1.1 default, Connection header, framing
};

// llhttp wrapper that turns bytes fed in arbitrary pieces into whole messages. Parsing stops
// after each complete message and resumes only once it has been taken, so a server can answer
// pipelined requests one at a time; unparsed bytes stay buffered here. Bytes split at any point
// parse exactly as the whole. After an error the parser stays failed (llhttp's errors stick).
class HttpParser {
 public:
  enum class Mode { kRequest, kResponse };

  explicit HttpParser(Mode mode, HttpParserLimits limits = {});
  ~HttpParser();
  HttpParser(const HttpParser&) = delete;
  HttpParser& operator=(const HttpParser&) = delete;

  // Appends bytes and parses as far as possible (up to the end of the next message).
  void feed(std::string_view bytes);

  // The peer closed its side: completes a response whose body runs until EOF; an incomplete
  // message becomes an error ("connection closed mid-message").
  void finish();

  // Response mode: the next response answers a HEAD request, so it has no body.
  void expectNoBody() { expect_no_body_ = true; }

  bool hasMessage() const { return ready_.has_value(); }
  // Precondition: hasMessage(). Taking a message resumes parsing of any buffered bytes.
  HttpParsedMessage take();

  bool failed() const { return error_.has_value(); }
  const HttpParseError& error() const { return *error_; }

  // True when some bytes of a message not yet complete have arrived (the server's header/body
  // timeout runs while this holds, the idle timeout otherwise).
  bool midMessage() const;

  // Bytes received but not yet parsed (held back while a complete message waits to be taken).
  std::size_t bufferedBytes() const { return buffer_.size() - parsed_; }

 private:
  struct Callbacks;
  void parse();
  void parseSome();
  void releaseBuffer();
  void fail(int status, std::string reason);
  int limitExceeded(int status, std::string reason);  // records the error, returns HPE_USER
  int countHeaderBytes(std::size_t length);

  Mode mode_;
  HttpParserLimits limits_;
  LlhttpMachine llhttp_;

  std::string buffer_;           // fed bytes not yet handed to llhttp
  std::size_t parsed_ = 0;       // prefix of buffer_ already consumed by llhttp
  bool in_message_ = false;      // on_message_begin seen, on_message_complete not yet
  bool expect_no_body_ = false;
  bool eof_ = false;             // finish() called; applied once buffered bytes are parsed

  // The message being assembled. Span callbacks may fire several times per field, so these append.
  HttpParsedMessage current_;
  std::string url_;
  std::string field_;
  std::string value_;
  std::size_t header_bytes_ = 0;

  std::optional<HttpParsedMessage> ready_;
  std::optional<HttpParseError> error_;
};

}  // namespace faultline

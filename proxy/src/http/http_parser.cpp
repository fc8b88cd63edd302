#include "http/http_parser.h"

#include <string>
#include <utility>

#include "http/http_wire.h"

namespace faultline {

// llhttp calls plain C function pointers; each recovers the HttpParser from parser->data.
// They never throw: appending to std::string could only throw bad_alloc, which we treat as fatal.
struct HttpParser::Callbacks {
  static HttpParser& self(llhttp_t* p) { return LlhttpMachine::owner<HttpParser>(p); }

  static llhttp_settings_t hooks() {
    llhttp_settings_t settings = LlhttpMachine::noHooks();
    settings.on_message_begin = &onMessageBegin;
    settings.on_url = &onUrl;
    settings.on_header_field = &onHeaderField;
    settings.on_header_value = &onHeaderValue;
    settings.on_header_value_complete = &onHeaderValueComplete;
    settings.on_headers_complete = &onHeadersComplete;
    settings.on_body = &onBody;
    settings.on_message_complete = &onMessageComplete;
    return settings;
  }

  static int onMessageBegin(llhttp_t* p) {
    HttpParser& s = self(p);
    s.in_message_ = true;
    s.current_ = HttpParsedMessage{};
    s.url_.clear();
    s.field_.clear();
    s.value_.clear();
    s.header_bytes_ = 0;
    return HPE_OK;
  }

  static int onUrl(llhttp_t* p, const char* at, std::size_t length) {
    HttpParser& s = self(p);
    if (s.url_.size() + length > s.limits_.max_url_bytes) {
      return s.limitExceeded(414, "request target longer than " + std::to_string(s.limits_.max_url_bytes) + " bytes");
    }
    s.url_.append(at, length);
    return HPE_OK;
  }

  static int onHeaderField(llhttp_t* p, const char* at, std::size_t length) {
    HttpParser& s = self(p);
    if (int rc = s.countHeaderBytes(length); rc != HPE_OK) return rc;
    s.field_.append(at, length);
    return HPE_OK;
  }

  static int onHeaderValue(llhttp_t* p, const char* at, std::size_t length) {
    HttpParser& s = self(p);
    if (int rc = s.countHeaderBytes(length); rc != HPE_OK) return rc;
    s.value_.append(at, length);
    return HPE_OK;
  }

  // Called once per header, also when the value is empty, so header boundaries never depend on
  // how the bytes were split.
  static int onHeaderValueComplete(llhttp_t* p) {
    HttpParser& s = self(p);
    auto& headers = s.mode_ == Mode::kRequest ? s.current_.request.headers : s.current_.response.headers;
    headers.emplace_back(std::move(s.field_), std::move(s.value_));
    s.field_.clear();
    s.value_.clear();
    return HPE_OK;
  }

  static int onHeadersComplete(llhttp_t* p) {
    HttpParser& s = self(p);
    if ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > s.limits_.max_body_bytes) {
      // Refuse before the body arrives: no point waiting for a megabyte we will not accept.
      return s.limitExceeded(413, "body of " + std::to_string(p->content_length) + " bytes exceeds the limit of " +
                                      std::to_string(s.limits_.max_body_bytes) + " bytes");
    }
    if (s.mode_ == Mode::kResponse) {
      s.current_.response.status = llhttp_get_status_code(p);
      return s.expect_no_body_ ? 1 : HPE_OK;
    }
    HttpRequest& request = s.current_.request;
    request.method = LlhttpMachine::methodName(p);
    request.target = s.url_;
    std::string_view target = s.url_;
    // Absolute-form targets ("http://host/path") are legal; routing only needs the path.
    if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {
      auto scheme_end = target.find("://") + 3;
      auto path_start = target.find('/', scheme_end);
      target = path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
    }
    auto hash = target.find('#');
    if (hash != std::string_view::npos) target = target.substr(0, hash);
    auto question = target.find('?');
    std::string_view raw_path = target.substr(0, question);
    if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
    auto decoded = percentDecode(raw_path);
    if (!decoded) {
      return s.limitExceeded(400, "bad percent-encoding in path '" + std::string(raw_path) +
                                      "'; expected '%' followed by two hex digits");
    }
    request.path = std::move(*decoded);
    request.raw_path = std::string(raw_path);
    return HPE_OK;
  }

  static int onBody(llhttp_t* p, const char* at, std::size_t length) {
    HttpParser& s = self(p);
    std::string& body = s.mode_ == Mode::kRequest ? s.current_.request.body : s.current_.response.body;
    if (body.size() + length > s.limits_.max_body_bytes) {
      return s.limitExceeded(413, "body exceeds the limit of " + std::to_string(s.limits_.max_body_bytes) + " bytes");
    }
    body.append(at, length);
    return HPE_OK;
  }

  static int onMessageComplete(llhttp_t* p) {
    HttpParser& s = self(p);
    s.current_.keep_alive = llhttp_should_keep_alive(p) != 0;
    s.ready_ = std::move(s.current_);
    s.current_ = HttpParsedMessage{};
    s.in_message_ = false;
    s.expect_no_body_ = false;
    // Stop here: the caller handles this message before the next one is parsed.
    return HPE_PAUSED;
  }
};

HttpParser::HttpParser(Mode mode, HttpParserLimits limits)
    : mode_(mode),
      limits_(limits),
      llhttp_(mode == Mode::kRequest ? LlhttpMachine::Kind::kRequest : LlhttpMachine::Kind::kResponse,
              Callbacks::hooks(), this) {}

HttpParser::~HttpParser() = default;

void HttpParser::feed(std::string_view bytes) {
  if (failed() || bytes.empty()) return;
  buffer_.append(bytes.data(), bytes.size());
  parse();
}

void HttpParser::finish() {
  if (failed() || eof_) return;
  eof_ = true;
  parse();
}

HttpParsedMessage HttpParser::take() {
  HttpParsedMessage message = std::move(*ready_);
  ready_.reset();
  parse();
  return message;
}

bool HttpParser::midMessage() const { return in_message_ || buffer_.size() > parsed_; }

int HttpParser::countHeaderBytes(std::size_t length) {
  header_bytes_ += length;
  if (header_bytes_ > limits_.max_header_bytes) {
    return limitExceeded(431, "headers longer than " + std::to_string(limits_.max_header_bytes) + " bytes");
  }
  return HPE_OK;
}

int HttpParser::limitExceeded(int status, std::string reason) {
  fail(status, std::move(reason));
  return HPE_USER;
}

void HttpParser::fail(int status, std::string reason) {
  if (error_) return;
  // The buffer is released by parse(), never here: llhttp may still be walking it.
  error_ = HttpParseError{status, std::move(reason)};
  in_message_ = false;
}

void HttpParser::releaseBuffer() {
  std::string().swap(buffer_);
  parsed_ = 0;
}

void HttpParser::parse() {
  parseSome();
  if (failed()) releaseBuffer();
}

void HttpParser::parseSome() {
  while (!ready_ && !failed()) {
    const char* start = buffer_.data() + parsed_;
    const std::size_t length = buffer_.size() - parsed_;
    if (length == 0) {
      buffer_.clear();
      parsed_ = 0;
      if (!eof_) return;
      llhttp_errno_t rc = llhttp_.finish();
      if (rc == HPE_OK || rc == HPE_PAUSED) {
        // HPE_PAUSED: a body delimited by EOF completed and onMessageComplete paused.
        if (!ready_ && in_message_) fail(400, "connection closed mid-message");
        return;
      }
      if (!failed()) fail(400, "connection closed mid-message: " + llhttp_.reason());
      return;
    }
    llhttp_errno_t rc = llhttp_.execute(start, length);
    if (rc == HPE_OK) {
      parsed_ = buffer_.size();
      continue;
    }
    if (rc == HPE_PAUSED) {
      parsed_ += llhttp_.consumedFrom(start);
      llhttp_.resume();
      continue;
    }
    if (failed()) return;  // one of our limits, already recorded
    if (rc == HPE_PAUSED_UPGRADE) {
      fail(400, "protocol upgrade is not supported");
      return;
    }
    fail(400, llhttp_.errorText(rc));
  }
}

}  // namespace faultline

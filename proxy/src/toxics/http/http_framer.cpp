#include "toxics/http/http_framer.h"

namespace faultline {

namespace {
HttpFramer* self(llhttp_t* p) { return &LlhttpMachine::owner<HttpFramer>(p); }
}  // namespace

llhttp_settings_t HttpFramer::hooks() {
  llhttp_settings_t settings = LlhttpMachine::noHooks();
  settings.on_message_begin = &HttpFramer::onMessageBegin;
  settings.on_url = &HttpFramer::onUrl;
  settings.on_header_field = &HttpFramer::onHeaderField;
  settings.on_header_value = &HttpFramer::onHeaderValue;
  settings.on_headers_complete = &HttpFramer::onHeadersComplete;
  settings.on_message_complete = &HttpFramer::onMessageComplete;
  return settings;
}

HttpFramer::HttpFramer(Mode mode, std::size_t max_head_bytes)
    : mode_(mode),
      max_head_bytes_(max_head_bytes),
      llhttp_(mode == Mode::kRequest ? LlhttpMachine::Kind::kRequest : LlhttpMachine::Kind::kResponse, hooks(),
              this) {}

int HttpFramer::countHead(std::size_t length) {
  head_bytes_ += length;
  return head_bytes_ > max_head_bytes_ ? HPE_USER : HPE_OK;
}

void HttpFramer::pushHeader() {
  if (!field_.empty() || in_value_) head_.headers.emplace_back(std::move(field_), std::move(value_));
  field_.clear();
  value_.clear();
  in_value_ = false;
}

int HttpFramer::onMessageBegin(llhttp_t* p) {
  HttpFramer* f = self(p);
  f->in_message_ = true;
  f->head_done_ = false;
  f->head_ = HttpHead{};
  f->head_.request = f->mode_ == Mode::kRequest;
  f->field_.clear();
  f->value_.clear();
  f->in_value_ = false;
  f->head_bytes_ = 0;
  return HPE_OK;
}

// Span callbacks may fire several times for one field: append, never assign.
int HttpFramer::onUrl(llhttp_t* p, const char* at, std::size_t length) {
  HttpFramer* f = self(p);
  f->head_.target.append(at, length);
  return f->countHead(length);
}

int HttpFramer::onHeaderField(llhttp_t* p, const char* at, std::size_t length) {
  HttpFramer* f = self(p);
  if (f->in_value_) f->pushHeader();
  f->field_.append(at, length);
  return f->countHead(length);
}

int HttpFramer::onHeaderValue(llhttp_t* p, const char* at, std::size_t length) {
  HttpFramer* f = self(p);
  f->in_value_ = true;
  f->value_.append(at, length);
  return f->countHead(length);
}

int HttpFramer::onHeadersComplete(llhttp_t* p) {
  HttpFramer* f = self(p);
  f->pushHeader();
  f->head_done_ = true;
  f->head_.version_major = p->http_major;
  f->head_.version_minor = p->http_minor;
  f->head_.keep_alive = llhttp_should_keep_alive(p) != 0;
  if (f->mode_ == Mode::kRequest) {
    f->head_.method = LlhttpMachine::methodName(p);
  } else {
    f->head_.status = p->status_code;
  }
  f->paused_for_head_ = true;
  return HPE_PAUSED;
}

int HttpFramer::onMessageComplete(llhttp_t* p) {
  HttpFramer* f = self(p);
  f->in_message_ = false;
  f->paused_for_end_ = true;
  return HPE_PAUSED;
}

HttpFramer::Step HttpFramer::step(const char* data, std::size_t size) {
  if (failed_) return {Event::kError, 0};
  // Right after a head, a message without a body ends without another byte: run llhttp on
  // nothing so that end is reported now, not when the next chunk happens to arrive.
  static const char kNothing = 0;
  if (size == 0 && !(in_message_ && head_done_)) return {Event::kNeedMore, 0};
  if (size == 0) data = &kNothing;
  llhttp_errno_t rc = llhttp_.execute(data, size);
  if (rc == HPE_OK) return {Event::kNeedMore, size};
  const std::size_t consumed = llhttp_.consumedFrom(data);
  if (rc == HPE_PAUSED) {
    llhttp_.resume();
    if (paused_for_head_) {
      paused_for_head_ = false;
      return {Event::kHead, consumed};
    }
    paused_for_end_ = false;
    return {Event::kMessageEnd, consumed};
  }
  if (rc == HPE_PAUSED_UPGRADE) {
    paused_for_end_ = false;
    failed_ = true;  // the framer is done with this stream: what follows is not HTTP
    error_ = "upgraded";
    return {Event::kUpgrade, consumed};
  }
  failed_ = true;
  error_ = head_bytes_ > max_head_bytes_ ? "head larger than " + std::to_string(max_head_bytes_) + " bytes"
                                         : llhttp_.errorText(rc);
  return {Event::kError, consumed};
}

HttpFramer::Step HttpFramer::finish() {
  if (failed_) return {Event::kError, 0};
  const bool was_in_message = in_message_;
  llhttp_errno_t rc = llhttp_.finish();
  if (rc == HPE_OK || rc == HPE_PAUSED) {
    if (rc == HPE_PAUSED) llhttp_.resume();
    if (was_in_message && !in_message_) {
      paused_for_end_ = false;
      return {Event::kMessageEnd, 0};
    }
    return {Event::kNeedMore, 0};
  }
  failed_ = true;
  error_ = llhttp_.errorText(rc);
  return {Event::kError, 0};
}

// llhttp is paused right after on_headers_complete; these are the flags its own return values
// 1 (no body) and 2 (upgrade) would have set.
void HttpFramer::skipBody() { llhttp_.raw().flags |= F_SKIPBODY; }

void HttpFramer::upgradeAfterHead() {
  llhttp_.raw().upgrade = 1;
  llhttp_.raw().flags |= F_SKIPBODY;
}

}  // namespace faultline

#include "http/llhttp_machine.h"

namespace faultline {

LlhttpMachine::LlhttpMachine(Kind kind, const llhttp_settings_t& hooks, void* owner) : settings_(hooks) {
  llhttp_init(&parser_, kind == Kind::kRequest ? HTTP_REQUEST : HTTP_RESPONSE, &settings_);
  parser_.data = owner;
}

llhttp_settings_t LlhttpMachine::noHooks() {
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  return settings;
}

const char* LlhttpMachine::methodName(const llhttp_t* p) {
  return llhttp_method_name(static_cast<llhttp_method_t>(p->method));
}

std::size_t LlhttpMachine::consumedFrom(const char* start) const {
  const char* pos = llhttp_get_error_pos(&parser_);
  return pos == nullptr ? 0 : static_cast<std::size_t>(pos - start);
}

std::string LlhttpMachine::reason() const {
  const char* reason = llhttp_get_error_reason(&parser_);
  return reason != nullptr && *reason != '\0' ? reason : "malformed message";
}

std::string LlhttpMachine::errorText(llhttp_errno_t rc) const { return std::string(llhttp_errno_name(rc)) + ": " + reason(); }

}  // namespace faultline

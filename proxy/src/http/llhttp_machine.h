#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string>

namespace faultline {

// The llhttp wiring our two parsers share: the API's accumulating HttpParser and the HTTP
// toxics' zero-copy HttpFramer. It owns the llhttp_t and the settings it points to (so neither
// can dangle), recovers the owner in callbacks, and spells llhttp's errors one way.
// Not movable: llhttp keeps pointers into it.
class LlhttpMachine {
 public:
  enum class Kind { kRequest, kResponse };

  // `hooks` starts from noHooks() with the owner's callbacks set; in them, owner<T>(p) is `owner`.
  LlhttpMachine(Kind kind, const llhttp_settings_t& hooks, void* owner);
  LlhttpMachine(const LlhttpMachine&) = delete;
  LlhttpMachine& operator=(const LlhttpMachine&) = delete;

  // Every callback unset: llhttp's defaults.
  static llhttp_settings_t noHooks();
  template <typename Owner>
  static Owner& owner(llhttp_t* p) {
    return *static_cast<Owner*>(p->data);
  }
  // "GET": the request method of the head being parsed.
  static const char* methodName(const llhttp_t* p);

  llhttp_errno_t execute(const char* data, std::size_t size) { return llhttp_execute(&parser_, data, size); }
  llhttp_errno_t finish() { return llhttp_finish(&parser_); }
  void resume() { llhttp_resume(&parser_); }
  // After execute() stopped early (paused, failed): how many bytes from `start` it took.
  std::size_t consumedFrom(const char* start) const;
  // llhttp's explanation of the last error, "Invalid method encountered", never null.
  std::string reason() const;
  // "HPE_INVALID_METHOD: Invalid method encountered".
  std::string errorText(llhttp_errno_t rc) const;
  // The flags and fields a paused parser's owner may change (skip a body, an upgrade).
  llhttp_t& raw() { return parser_; }

 private:
  llhttp_settings_t settings_;
  llhttp_t parser_{};
};

}  // namespace faultline

#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace faultline {

// What the control API needs from the rules loader: POST /reload and GET /rules. Implemented by
// rules/rules_watcher; the API holds a pointer that is null when no rules file was given.
class RulesService {
 public:
  virtual ~RulesService() = default;
  // Re-reads and applies the rules file now. An invalid file changes nothing and is an error.
  virtual Status reload() = 0;
  // {"file","content_hash","loaded_at","last_error","reloads":{"ok":N,"error":N}, "proxies":[...]}
  virtual nlohmann::json status() const = 0;
};

}  // namespace faultline

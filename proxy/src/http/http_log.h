#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace faultline {

// The "http" component logger (server, client). Created from the default logger's sinks the
// first time it is needed unless the application registered its own "http" logger first.
inline spdlog::logger& httpLog() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("http")) return existing;
    auto created = spdlog::default_logger()->clone("http");
    try {
      spdlog::register_logger(created);
    } catch (const spdlog::spdlog_ex&) {
      // Registered concurrently by someone else: use theirs.
      if (auto existing = spdlog::get("http")) return existing;
    }
    return created;
  }();
  return *logger;
}

}  // namespace faultline

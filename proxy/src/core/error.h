#pragma once

#include <string>

namespace faultline {

// Error kinds map one-to-one onto HTTP statuses in the control API (see httpStatus()).
enum class ErrorCode {
  kInvalidArgument,  // 400: the caller sent something malformed or out of range
  kNotFound,         // 404
  kConflict,         // 409: a name that already exists
  kTooLarge,         // 413
  kIo,               // 500: the system said no (bind, connect, read)
  kInternal,         // 500
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Error invalid(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }
  static Error notFound(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
  static Error conflict(std::string message) { return {ErrorCode::kConflict, std::move(message)}; }
  static Error io(std::string message) { return {ErrorCode::kIo, std::move(message)}; }
};

int httpStatus(ErrorCode code);

}  // namespace faultline

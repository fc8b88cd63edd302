#pragma once
// faultline/testing/error.hpp -- what the test helper throws when a fault cannot be set up.

#include <stdexcept>

namespace faultline::testing {

// In a test a fault that could not be set up must stop the test; GoogleTest reports an uncaught
// exception with its message.
class FaultlineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace faultline::testing

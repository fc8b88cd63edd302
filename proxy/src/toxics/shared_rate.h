#pragma once

#include "core/clock.h"

namespace faultline {

// One congested link shared by every connection of a proxy in one direction (bandwidth
// scope=proxy): the virtual time at which the line is free again. Each bandwidth stage built
// from the same spec reserves its next piece on it, so the pieces of all connections queue one
// after the other and together never exceed the rate. Only the loop thread touches it: no lock.
struct SharedRate {
  TimePoint free_at{};
};

}  // namespace faultline

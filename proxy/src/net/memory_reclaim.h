#pragma once

#include <cstddef>

namespace faultline {

// Gives memory back once load has dropped: read slabs beyond a few go back to the allocator, and
// the allocator returns its free pages to the system (glibc keeps them otherwise, so RSS would
// stay at its high-water mark). Costs a walk of the heap: call it when load ends, not per event.
void returnFreeMemory();

// How many times returnFreeMemory() ran (for tests and metrics).
std::size_t freeMemoryReturns();

}  // namespace faultline

#include "net/memory_reclaim.h"

#include <malloc.h>

#include <atomic>

#include "net/read_slab.h"

namespace faultline {

namespace {
constexpr std::size_t kSlabsKept = 16;  // 1 MiB: enough for the next burst to start without malloc
std::atomic<std::size_t> g_returns{0};
}  // namespace

void returnFreeMemory() {
  trimReadSlabs(kSlabsKept);
  ::malloc_trim(0);
  g_returns.fetch_add(1, std::memory_order_relaxed);
}

std::size_t freeMemoryReturns() { return g_returns.load(std::memory_order_relaxed); }

}  // namespace faultline

#include "proxy/read_slab.h"

#include <vector>

namespace faultline {

namespace {

constexpr std::size_t kMaxPooledSlabs = 1024;  // 64 MiB: one link's worth of bulk data

// Trivially destructible, so it can still be read while the pool itself is being destroyed
// at thread exit (a chunk released then is simply freed).
thread_local bool t_pool_alive = false;

struct SlabPool {
  std::vector<char*> free;
  SlabPool() { t_pool_alive = true; }
  ~SlabPool() {
    t_pool_alive = false;
    for (char* slab : free) delete[] slab;
  }
};

thread_local SlabPool t_pool;

void releaseSlab(char* slab) {
  if (t_pool_alive && t_pool.free.size() < kMaxPooledSlabs) {
    t_pool.free.push_back(slab);
    return;
  }
  delete[] slab;
}

}  // namespace

std::shared_ptr<char[]> takeReadSlab() {
  char* slab;
  if (!t_pool.free.empty()) {
    slab = t_pool.free.back();
    t_pool.free.pop_back();
  } else {
    slab = new char[kReadSlabBytes];
  }
  return std::shared_ptr<char[]>(slab, &releaseSlab);
}

}  // namespace faultline

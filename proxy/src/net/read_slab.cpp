#include "net/read_slab.h"

#include <vector>

namespace faultline {

namespace {

constexpr std::size_t kMaxPooledSlabs = 256;  // 16 MiB: a busy loop rarely mallocs a slab; more is RSS kept for nothing

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

std::shared_ptr<char[]>& currentSlab() {
  thread_local std::shared_ptr<char[]> slab;
  if (!slab) slab = takeReadSlab();
  return slab;
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

void allocReadSlab(uv_handle_t*, size_t, uv_buf_t* buf) noexcept {
  *buf = uv_buf_init(currentSlab().get(), kReadSlabBytes);
}

Chunk takeReadChunk(std::size_t nread) {
  auto& slab = currentSlab();
  if (nread >= kReadSlabBytes / 2) return Chunk(std::move(slab), 0, nread, Clock::now());
  return Chunk::copyOf(slab.get(), nread);
}

const char* readSlabData() { return currentSlab().get(); }

std::size_t pooledReadSlabs() { return t_pool.free.size(); }

void trimReadSlabs(std::size_t keep) {
  while (t_pool.free.size() > keep) {
    delete[] t_pool.free.back();
    t_pool.free.pop_back();
  }
  t_pool.free.shrink_to_fit();
}

}  // namespace faultline

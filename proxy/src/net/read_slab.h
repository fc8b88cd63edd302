#pragma once

#include <uv.h>

#include <cstddef>
#include <memory>

#include "core/chunk.h"

namespace faultline {

constexpr std::size_t kReadSlabBytes = 64 * 1024;

// A 64 KiB read buffer from a per-thread free list. Bulk transfers take one per read and give it
// back when the chunk is written; recycling them avoids a malloc, a free and fresh page faults
// per read (glibc trims the heap top after each free of a slab this size).
std::shared_ptr<char[]> takeReadSlab();

// uv_alloc_cb for every stream read on this loop. libuv calls alloc_cb and then read_cb for the
// same stream back to back, so one current slab per thread is never shared.
void allocReadSlab(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) noexcept;
// The bytes of the read that just filled the current slab, as a chunk. A big read keeps the
// slab (zero copy; the next read takes a fresh one) and a small one is copied out, so a chunk
// never pins 64 KiB for a few bytes.
Chunk takeReadChunk(std::size_t nread);
// The bytes of that read where they are, for a link that passes them straight on (valid until
// takeReadChunk or the next read).
const char* readSlabData();

// Free slabs kept for reuse, and giving them back to the allocator once load has dropped.
std::size_t pooledReadSlabs();
void trimReadSlabs(std::size_t keep);

}  // namespace faultline

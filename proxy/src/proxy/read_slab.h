#pragma once

#include <cstddef>
#include <memory>

namespace faultline {

constexpr std::size_t kReadSlabBytes = 64 * 1024;

// A 64 KiB read buffer from a per-thread free list. Bulk transfers take one per read and give it
// back when the chunk is written; recycling them avoids a malloc, a free and fresh page faults
// per read (glibc trims the heap top after each free of a slab this size).
std::shared_ptr<char[]> takeReadSlab();

}  // namespace faultline

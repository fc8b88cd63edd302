#pragma once

#include <uv.h>

#include <cstddef>
#include <vector>

#include "core/chunk.h"

namespace faultline {

// Sends what the socket takes right now from one buffer, without a request, when libuv has no
// write queued on the stream (else 0, so bytes never overtake queued ones): the bytes sent, 0
// when the socket is full, or a libuv error.
ssize_t trySend(uv_stream_t* stream, const char* data, std::size_t size);

// One uv_write of one or more chunks, alive until its callback. Big chunks are written in place
// (zero copy); runs of small ones are copied into one buffer, so a stream cut into 1-byte pieces
// costs one request and one allocation per batch, not one per byte. cost() is what the request
// really occupies (payload, copies, bookkeeping), which is what the caps must be charged.
class WriteRequest {
 public:
  // Pieces below this are copied together; above it they are referenced where they are.
  static constexpr std::size_t kCopyBelow = 4096;

  WriteRequest() { req_.data = this; }
  WriteRequest(const WriteRequest&) = delete;
  WriteRequest& operator=(const WriteRequest&) = delete;

  void add(Chunk chunk);
  bool empty() const { return bytes_ == 0; }
  std::size_t bytes() const { return bytes_; }
  std::size_t pieces() const { return pieces_; }
  std::size_t cost() const;

  // Writes what the socket takes right now, without a request: returns the bytes written (0 when
  // the socket is full or earlier writes are still queued) or a libuv error. A completed uv_write
  // makes libuv re-arm the socket's epoll entry (one epoll_ctl per write, a third of the syscalls
  // of a request/response stream); a write that completes here costs only the write itself.
  // What is left (bytes()) goes out with submit().
  ssize_t tryWrite(uv_stream_t* stream);
  // Starts the write; on success the request belongs to libuv until cb, which receives req().
  int submit(uv_stream_t* stream, uv_write_cb cb);
  static WriteRequest* from(uv_write_t* req) { return static_cast<WriteRequest*>(req->data); }

  void* owner = nullptr;
  std::size_t charged = 0;  // what the owner charged its caps for this request

 private:
  void prepareBuffers();

  uv_write_t req_{};
  // The common request is one chunk (a read passed straight on): it needs no vector at all.
  Chunk single_;
  std::vector<Chunk> chunks_;  // used from the second chunk on (single_ moves in first)
  std::vector<uv_buf_t> bufs_;
  // The buffer small pieces are being copied into (the last entry of chunks_ while open).
  std::shared_ptr<char[]> copy_;
  std::size_t copy_used_ = 0;
  std::size_t copy_capacity_ = 0;
  std::size_t copied_capacity_ = 0;  // all copy buffers allocated, for cost()
  bool bufs_ready_ = false;  // bufs_ describes what is left to write (after tryWrite)
  std::size_t bytes_ = 0;
  std::size_t pieces_ = 0;
};

}  // namespace faultline

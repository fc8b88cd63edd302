#include "net/write_request.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstring>

namespace faultline {

namespace {
constexpr std::size_t kCopyBufferBytes = 16 * 1024;
// What the allocator and the bookkeeping cost per allocation and per referenced chunk, beyond
// the bytes themselves (malloc's header and rounding, the shared_ptr control block).
constexpr std::size_t kAllocationOverhead = 32;
static_assert(sizeof(uv_buf_t) == sizeof(iovec) && offsetof(uv_buf_t, base) == offsetof(iovec, iov_base) &&
                  offsetof(uv_buf_t, len) == offsetof(iovec, iov_len),
              "tryWrite hands uv_buf_t arrays to sendmsg as iovecs");
}  // namespace

void WriteRequest::add(Chunk chunk) {
  if (chunk.empty()) return;
  if (pieces_ == 0) {
    bytes_ = chunk.size();
    pieces_ = 1;
    single_ = std::move(chunk);
    return;
  }
  if (!single_.empty()) chunks_.push_back(std::move(single_));
  single_ = Chunk();
  bytes_ += chunk.size();
  ++pieces_;
  const bool small = chunk.size() < kCopyBelow;
  if (small && copy_ && copy_used_ + chunk.size() <= copy_capacity_) {
    std::memcpy(copy_.get() + copy_used_, chunk.data(), chunk.size());
    copy_used_ += chunk.size();
    chunks_.back() = Chunk(copy_, 0, copy_used_, chunk.arrivedAt());
    return;
  }
  // A second small piece in a row starts a copy buffer holding both; a lone small piece (a
  // request, a reply) is referenced like a big one, so it costs no copy.
  if (small && !chunks_.empty() && chunks_.back().size() < kCopyBelow) {
    const Chunk previous = chunks_.back();
    copy_capacity_ = std::max(kCopyBufferBytes, previous.size() + chunk.size());
    copy_ = std::make_shared_for_overwrite<char[]>(copy_capacity_);
    copied_capacity_ += copy_capacity_;
    std::memcpy(copy_.get(), previous.data(), previous.size());
    std::memcpy(copy_.get() + previous.size(), chunk.data(), chunk.size());
    copy_used_ = previous.size() + chunk.size();
    chunks_.back() = Chunk(copy_, 0, copy_used_, chunk.arrivedAt());
    return;
  }
  copy_.reset();
  copy_used_ = copy_capacity_ = 0;
  chunks_.push_back(std::move(chunk));
}

std::size_t WriteRequest::cost() const {
  if (chunks_.empty()) return sizeof(WriteRequest) + kAllocationOverhead + bytes_;
  return sizeof(WriteRequest) + kAllocationOverhead + bytes_ + copied_capacity_ +
         chunks_.capacity() * (sizeof(Chunk) + kAllocationOverhead) + bufs_.capacity() * sizeof(uv_buf_t);
}

void WriteRequest::prepareBuffers() {
  if (bufs_ready_) return;
  bufs_ready_ = true;
  copy_.reset();  // no more appends: the chunks hold the storage
  if (chunks_.empty()) {
    bufs_.push_back(uv_buf_init(const_cast<char*>(single_.data()), static_cast<unsigned>(single_.size())));
    return;
  }
  bufs_.reserve(chunks_.size());
  for (const auto& chunk : chunks_) {
    bufs_.push_back(uv_buf_init(const_cast<char*>(chunk.data()), static_cast<unsigned>(chunk.size())));
  }
}

namespace {

// The socket of a stream libuv has no write queued on (-1: there is a queue, or no socket).
int idleSocket(uv_stream_t* stream) {
  uv_os_fd_t fd = -1;
  if (uv_stream_get_write_queue_size(stream) != 0 || uv_fileno(reinterpret_cast<uv_handle_t*>(stream), &fd) != 0) {
    return -1;
  }
  return fd;
}

ssize_t sendResult(ssize_t rc) {
  if (rc >= 0) return rc;
  return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : uv_translate_sys_error(errno);
}

}  // namespace

// send() rather than uv_try_write's write(): a socket call skips the VFS layer (fdget_pos,
// rw_verify_area, the iter wrappers), measurably cheaper per small request.
ssize_t trySend(uv_stream_t* stream, const char* data, std::size_t size) {
  const int fd = idleSocket(stream);
  if (fd < 0) return 0;
  ssize_t rc;
  do {
    rc = ::send(fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (rc < 0 && errno == EINTR);
  return sendResult(rc);
}

ssize_t WriteRequest::tryWrite(uv_stream_t* stream) {
  prepareBuffers();
  ssize_t rc;
  if (bufs_.size() == 1) {
    rc = trySend(stream, bufs_[0].base, bufs_[0].len);
  } else {
    const int fd = idleSocket(stream);
    if (fd < 0) return 0;
    msghdr msg{};
    msg.msg_iov = reinterpret_cast<iovec*>(bufs_.data());  // uv_buf_t is laid out as iovec on Unix
    msg.msg_iovlen = std::min<std::size_t>(bufs_.size(), IOV_MAX);
    do {
      rc = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (rc < 0 && errno == EINTR);
    rc = sendResult(rc);
  }
  if (rc <= 0) return rc;
  // Drop what went out; the chunks keep their storage until the request is destroyed.
  auto left = static_cast<std::size_t>(rc);
  bytes_ -= left;
  std::size_t first = 0;
  while (first < bufs_.size() && left >= bufs_[first].len) {
    left -= bufs_[first].len;
    ++first;
  }
  if (first < bufs_.size()) {
    bufs_[first].base += left;
    bufs_[first].len -= static_cast<decltype(bufs_[first].len)>(left);
  }
  bufs_.erase(bufs_.begin(), bufs_.begin() + static_cast<std::ptrdiff_t>(first));
  return rc;
}

int WriteRequest::submit(uv_stream_t* stream, uv_write_cb cb) {
  if (!bufs_ready_ && chunks_.empty()) {
    // libuv copies the buffer list into the request, so one on the stack is enough.
    uv_buf_t buf = uv_buf_init(const_cast<char*>(single_.data()), static_cast<unsigned>(single_.size()));
    return uv_write(&req_, stream, &buf, 1, cb);
  }
  prepareBuffers();
  return uv_write(&req_, stream, bufs_.data(), static_cast<unsigned>(bufs_.size()), cb);
}

}  // namespace faultline

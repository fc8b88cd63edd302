#include "net/fd_reserve.h"

#include <fcntl.h>
#include <unistd.h>

namespace faultline {

namespace {
int placeholder() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }
}  // namespace

FdReserve::FdReserve(std::size_t count) : count_(count) { (void)refill(); }

FdReserve::~FdReserve() { release(); }

bool FdReserve::ensure() {
  if (count_ == 0) return true;
  if (fds_.empty()) return refill();
  // Two must be free: one for the connection's upstream, and one that the data path never takes,
  // so the control API can still accept before the next connection finds the limit and gives the
  // reserve back (with one, a session could take the last descriptor while the reserve is held).
  const int first = ::fcntl(fds_.front(), F_DUPFD_CLOEXEC, 0);
  const int second = first >= 0 ? ::fcntl(fds_.front(), F_DUPFD_CLOEXEC, 0) : -1;
  if (first >= 0) ::close(first);
  if (second >= 0) {
    ::close(second);
    return true;
  }
  release();
  ++releases_;
  return false;
}

void FdReserve::release() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
}

bool FdReserve::refill() {
  // Twice the reserve must be free: half is held, half stays for the connection and its upstream.
  std::vector<int> opened;
  for (std::size_t i = 0; i < 2 * count_; ++i) {
    const int fd = placeholder();
    if (fd < 0) break;
    opened.push_back(fd);
  }
  const bool enough = opened.size() == 2 * count_;
  for (std::size_t i = 0; i < opened.size(); ++i) {
    if (enough && i < count_) {
      fds_.push_back(opened[i]);
    } else {
      ::close(opened[i]);
    }
  }
  return enough;
}

}  // namespace faultline

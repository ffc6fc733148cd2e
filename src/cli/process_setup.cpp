#include "cli/process_setup.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace cli {
namespace {

bool is_closed(int fd) {
  return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

// open() returns the lowest free descriptor, which is `fd` itself when every lower one is open; the
// descriptors are handled in ascending order, so that holds.
bool reopen_null(int fd, int flags) {
  if (!is_closed(fd)) return false;
  const int opened = open("/dev/null", flags | O_CLOEXEC);
  if (opened >= 0 && opened != fd) {
    dup2(opened, fd);
    close(opened);
  }
  // dup2 clears FD_CLOEXEC; when open() gave `fd` directly, children must still inherit it like a standard
  // descriptor.
  fcntl(fd, F_SETFD, 0);
  return true;
}

}  // namespace

standard_descriptors make_standard_descriptors_valid() {
  standard_descriptors closed;
  closed.stdin_closed = reopen_null(STDIN_FILENO, O_RDONLY);
  closed.stdout_closed = reopen_null(STDOUT_FILENO, O_RDONLY);
  closed.stderr_closed = reopen_null(STDERR_FILENO, O_WRONLY);
  return closed;
}

unsigned long raise_open_file_limit() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur != limit.rlim_max) {
    struct rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? 0 : static_cast<unsigned long>(limit.rlim_cur);
}

int concurrency_within(unsigned long limit, int wanted) {
  // 0-2, the loops' epoll, signal and wake-up descriptors (up to 64 loops), the parse workers, a cache
  // entry or the --timeline-svg file: a generous fixed reserve.
  constexpr unsigned long reserve = 48;
  if (limit == 0) return wanted;
  const unsigned long room = limit > reserve ? (limit - reserve) / 2 : 0;
  return static_cast<int>(std::clamp<unsigned long>(room, 1, static_cast<unsigned long>(wanted)));
}

}  // namespace cli

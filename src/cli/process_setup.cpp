#include "cli/process_setup.hpp"

#include <fcntl.h>
#include <unistd.h>

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

}  // namespace cli

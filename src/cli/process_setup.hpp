// What main() does to the process before anything else: the standard descriptors made valid, so that no
// file or socket opened later lands on 0, 1 or 2 (libuv aborts when its own descriptors do, and a report
// written to "stdout" would go into a socket); and the open-file limit raised as far as allowed, since each
// request in flight holds a socket.
#pragma once

namespace cli {

struct standard_descriptors {
  bool stdin_closed = false;
  bool stdout_closed = false;
  bool stderr_closed = false;
};

// Opens /dev/null on each of 0, 1 and 2 that is closed, and says which were. A closed stdout gets /dev/null
// opened read-only, so that every write of the report fails (EBADF) instead of vanishing.
standard_descriptors make_standard_descriptors_valid();

// Raises the soft RLIMIT_NOFILE to the hard one. Returns the soft limit now in force (0: unlimited).
unsigned long raise_open_file_limit();

// The most requests that can be in flight under an open-file limit of `limit` (0: unlimited, any `wanted`):
// each request may hold a socket and, while a name resolves, a socket pair; the event loops, their threads
// and the standard descriptors need a reserve besides.
int concurrency_within(unsigned long limit, int wanted);

}  // namespace cli

// What main() does to the process before anything else: the standard descriptors made valid, so that no
// file or socket opened later lands on 0, 1 or 2 (libuv aborts when its own descriptors do, and a report
// written to "stdout" would go into a socket).
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

}  // namespace cli

// Files the user names (--cacert, --input): only regular files are read, because opening a FIFO or a device
// can block forever (with no writer, a FIFO's open() waits, and the signals that should end the run wait
// behind it). Callers stat() the path, never open() it, before this check.
#pragma once

#include <sys/stat.h>

#include <string>

namespace cli {

// Empty for a regular file, else what it is instead: "it is a directory", "it is a FIFO, not a regular
// file", "it is a character device, not a regular file", ...
std::string not_regular_file(const struct stat &info);

}  // namespace cli

#include "cli/user_files.hpp"

namespace cli {

std::string not_regular_file(const struct stat &info) {
  if (S_ISREG(info.st_mode)) return {};
  if (S_ISDIR(info.st_mode)) return "it is a directory";
  const char *kind = "a special file";
  if (S_ISFIFO(info.st_mode))
    kind = "a FIFO";
  else if (S_ISCHR(info.st_mode))
    kind = "a character device";
  else if (S_ISBLK(info.st_mode))
    kind = "a block device";
  else if (S_ISSOCK(info.st_mode))
    kind = "a socket";
  return std::string("it is ") + kind + ", not a regular file";
}

}  // namespace cli

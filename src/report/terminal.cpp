#include "report/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

namespace report {

std::size_t terminal_width(int fd, std::size_t fallback) {
  struct winsize size {};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return fallback;
  return size.ws_col;
}

bool color_wanted(color_mode mode, bool stdout_is_terminal, const char *no_color_env) {
  switch (mode) {
    case color_mode::always:
      return true;
    case color_mode::never:
      return false;
    case color_mode::automatic:
      break;
  }
  return stdout_is_terminal && (no_color_env == nullptr || no_color_env[0] == '\0');
}

bool progress_wanted(std::optional<bool> asked, bool quiet, bool stderr_is_terminal) {
  if (!stderr_is_terminal) return false;
  if (asked) return *asked;
  return !quiet;
}

}  // namespace report

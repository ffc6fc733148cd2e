#include "report/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

namespace report {

std::size_t columns_from_env(const char *columns_env) {
  if (columns_env == nullptr || *columns_env < '1' || *columns_env > '9') return 0;
  char *end = nullptr;
  const unsigned long value = std::strtoul(columns_env, &end, 10);
  return *end == '\0' && value <= 100000 ? value : 0;
}

std::size_t terminal_width(int fd, std::size_t fallback) {
  struct winsize size {};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0) return fallback;
  if (const std::size_t columns = columns_from_env(std::getenv("COLUMNS"))) return columns;
  return size.ws_col == 0 ? fallback : size.ws_col;
}

std::size_t table_width(std::FILE *out) {
  const int fd = fileno(out);
  return fd >= 0 && ::isatty(fd) ? terminal_width(fd, 80) : unlimited_width;
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

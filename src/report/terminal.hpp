// What the terminal can show: its width, and whether the table may use colors.
#pragma once

#include <cstddef>
#include <cstdio>
#include <optional>

#include "report/output.hpp"

namespace report {

enum class color_mode { automatic, always, never };  // --color=auto|always|never

// The width in columns of the terminal on `fd`: COLUMNS when set to a positive number (the user's word wins
// over the window's), else the window's (TIOCGWINSZ); `fallback` when `fd` is not a terminal or does not say.
std::size_t terminal_width(int fd, std::size_t fallback);

// COLUMNS as a number of columns; 0 when unset, empty or not a positive decimal number.
std::size_t columns_from_env(const char *columns_env);

// The widest a table line written to `out` may be: the terminal's width when `out` is a terminal; no limit
// for a file or a pipe, whose reader may want every character.
std::size_t table_width(std::FILE *out);

// Whether the table gets colors. `always` and `never` are what they say; `automatic` means yes when stdout
// is a terminal and NO_COLOR (`no_color_env`, null when unset) is unset or empty, as https://no-color.org
// asks. An explicit --color=always wins over NO_COLOR.
bool color_wanted(color_mode mode, bool stdout_is_terminal, const char *no_color_env);

// Whether the progress bar is drawn: only when stderr is a terminal; then as `asked` says (--progress,
// --no-progress), else unless `quiet`.
bool progress_wanted(std::optional<bool> asked, bool quiet, bool stderr_is_terminal);

}  // namespace report

// What the terminal can show: its width, and whether the table may use colors.
#pragma once

#include <cstddef>
#include <optional>

namespace report {

enum class color_mode { automatic, always, never };  // --color=auto|always|never

// The width in columns of the terminal on `fd`, or `fallback` when `fd` is not a terminal or does not say.
std::size_t terminal_width(int fd, std::size_t fallback);

// Whether the table gets colors. `always` and `never` are what they say; `automatic` means yes when stdout
// is a terminal and NO_COLOR (`no_color_env`, null when unset) is unset or empty, as https://no-color.org
// asks. An explicit --color=always wins over NO_COLOR.
bool color_wanted(color_mode mode, bool stdout_is_terminal, const char *no_color_env);

// Whether the progress bar is drawn: only when stderr is a terminal; then as `asked` says (--progress,
// --no-progress), else unless `quiet`.
bool progress_wanted(std::optional<bool> asked, bool quiet, bool stderr_is_terminal);

}  // namespace report

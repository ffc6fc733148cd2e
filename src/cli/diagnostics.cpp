#include "cli/diagnostics.hpp"

#include <initializer_list>
#include <new>
#include <string>

namespace cli {
namespace {

constexpr std::string_view program_name = "artistfetch";

}  // namespace

void diagnostics::write_line(std::string_view kind, std::string_view message, std::string_view after) const {
  std::string line;
  try {
    line.reserve(program_name.size() + kind.size() + message.size() + after.size() + 4);
  } catch (const std::bad_alloc &) {  // out of memory: the message still goes out, in pieces
    for (std::string_view piece :
         {program_name, std::string_view(": "), kind, message, std::string_view("\n"), after})
      std::fwrite(piece.data(), 1, piece.size(), stream_);
    std::fflush(stream_);
    return;
  }
  line.append(program_name).append(": ").append(kind).append(message).append("\n").append(after);
  // One write per line, flushed: the line never interleaves with the progress bar or another thread's output.
  std::fwrite(line.data(), 1, line.size(), stream_);
  std::fflush(stream_);
}

void diagnostics::error(std::string_view message) const {
  write_line("", message, "");
}

void diagnostics::usage_error(std::string_view message) const {
  write_line("", message, "Try 'artistfetch --help' for more information.\n");
}

void diagnostics::warning(std::string_view message) const {
  if (!quiet_) write_line("warning: ", message, "");
}

void diagnostics::artists_failed(std::size_t failed, std::size_t total) const {
  if (failed == 0 || quiet_) return;
  write_line("",
             std::to_string(failed) + " of " + std::to_string(total) + (total == 1 ? " artist" : " artists") +
                 " failed",
             "");
}

}  // namespace cli

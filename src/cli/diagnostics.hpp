// Everything artistfetch says on stderr about itself (not the report, progress or statistics): the program
// name prefix, errors versus warnings, and --quiet. Lower layers return their problems as text; only main()
// and this module print them.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string_view>

namespace cli {

class diagnostics {
 public:
  explicit diagnostics(std::FILE *stream = stderr) : stream_(stream) {}

  // --quiet: warnings are dropped; errors still print.
  void set_quiet(bool quiet) { quiet_ = quiet; }
  bool quiet() const { return quiet_; }

  // "artistfetch: MESSAGE"
  void error(std::string_view message) const;
  // "artistfetch: MESSAGE" and a hint at --help, for a bad command line.
  void usage_error(std::string_view message) const;
  // "artistfetch: warning: MESSAGE", unless quiet.
  void warning(std::string_view message) const;
  // "artistfetch: 2 of 30 artists failed", the last line of a run with failures (so that a run whose report
  // went to a file does not end silently with exit 1); nothing when none failed, or when quiet.
  void artists_failed(std::size_t failed, std::size_t total) const;

 private:
  void write_line(std::string_view kind, std::string_view message, std::string_view after) const;

  std::FILE *stream_;
  bool quiet_ = false;
};

}  // namespace cli

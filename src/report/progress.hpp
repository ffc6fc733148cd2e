// The progress bar: one line on a terminal, redrawn in place at most ten times a second and erased when the
// run ends. The caller decides whether a terminal is there (see terminal.hpp); this only draws.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace report {

// What the bar shows.
struct progress_state {
  std::string label;      // "sync", "async" or empty
  std::size_t total = 0;  // artists in the run
  std::size_t done = 0;   // artists with a record
  std::size_t failed = 0;
  std::size_t requests = 0;  // requests ended so far, retries included
  double elapsed_s = 0;
};

// The bar's text for a terminal `width` columns wide, at most width - 1 columns (so that the terminal never
// wraps it), without escape sequences: "async [█████░░░░░] 12/50 1 failed 23.4 req/s ETA 2s". The ETA
// assumes the rest goes at the pace so far; "ETA ?" until one artist is done.
std::string format_progress(const progress_state &state, std::size_t width);

// Draws format_progress() on `stream` as "\r" + line + "\x1b[K" and erases it with "\r\x1b[K". Not
// copyable. Every member function is cheap when nothing needs drawing.
class progress_bar {
 public:
  // `fd` is the descriptor of `stream`, asked for the terminal's width at each redraw.
  progress_bar(std::FILE *stream, int fd, std::string label, std::size_t total);
  ~progress_bar();
  progress_bar(const progress_bar &) = delete;
  progress_bar &operator=(const progress_bar &) = delete;

  // Run events: each redraws when 100 ms have passed since the last drawing (the first one draws at once).
  void request_started();
  void request_ended();
  void artist_done(bool ok);

  // Erases the line if it is shown; the next event draws it again. For output about to go to the terminal.
  void hide();
  // Erases the line for good: later events draw nothing.
  void finish();

 private:
  using clock = std::chrono::steady_clock;
  void maybe_draw();

  std::FILE *stream_;
  int fd_;
  progress_state state_;
  clock::time_point started_;
  clock::time_point last_drawn_{};
  bool ever_drawn_ = false;
  bool shown_ = false;
  bool finished_ = false;
};

}  // namespace report

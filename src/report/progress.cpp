#include "report/progress.hpp"

#include <algorithm>
#include <cmath>

#include "report/terminal.hpp"

namespace report {
namespace {

constexpr auto redraw_interval = std::chrono::milliseconds(100);
constexpr std::size_t max_bar_cells = 30;
constexpr std::size_t min_bar_cells = 5;

std::string duration_text(double seconds) {
  const long long whole = std::llround(std::max(0.0, seconds));
  char buffer[32];
  if (whole < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", whole);
  } else if (whole < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", whole / 60, whole % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", whole / 3600, whole / 60 % 60);
  }
  return buffer;
}

}  // namespace

std::string format_progress(const progress_state &state, std::size_t width) {
  char buffer[128];
  std::string tail = " " + std::to_string(state.done) + "/" + std::to_string(state.total);
  if (state.failed > 0) tail += " " + std::to_string(state.failed) + " failed";
  const double rate = state.elapsed_s > 0 ? static_cast<double>(state.requests) / state.elapsed_s : 0;
  std::snprintf(buffer, sizeof buffer, " %.1f req/s", rate);
  tail += buffer;
  if (state.done == 0) {
    tail += " ETA ?";
  } else {
    const double left = static_cast<double>(state.total - std::min(state.done, state.total));
    tail += " ETA " + duration_text(left * state.elapsed_s / static_cast<double>(state.done));
  }

  const std::size_t room = width > 1 ? width - 1 : 0;
  const std::string head = state.label;
  // "[" + cells + "]", separated from the label by a space when there is one.
  const std::size_t fixed = head.size() + tail.size() + 2 + (head.empty() ? 0 : 1);
  std::string line = head;
  if (room > fixed + min_bar_cells) {
    const std::size_t cells = std::min(max_bar_cells, room - fixed);
    const double fraction = state.total == 0 ? 1.0
                                             : static_cast<double>(std::min(state.done, state.total)) /
                                                   static_cast<double>(state.total);
    const auto full = static_cast<std::size_t>(std::floor(fraction * static_cast<double>(cells)));
    if (!line.empty()) line += ' ';
    line += '[';
    for (std::size_t i = 0; i < cells; ++i) line += i < full ? "\xE2\x96\x88" : "\xE2\x96\x91";
    line += ']';
    line += tail;
    return line;
  }
  line += head.empty() ? tail.substr(1) : tail;
  if (line.size() > room) line.resize(room);  // ASCII from here on: bytes are columns
  return line;
}

progress_bar::progress_bar(std::FILE *stream, int fd, std::string label, std::size_t total)
    : stream_(stream), fd_(fd), started_(clock::now()) {
  state_.label = std::move(label);
  state_.total = total;
}

progress_bar::~progress_bar() {
  finish();
}

void progress_bar::request_started() {
  if (!finished_) maybe_draw();
}

void progress_bar::request_ended() {
  if (finished_) return;
  ++state_.requests;
  maybe_draw();
}

void progress_bar::artist_done(bool ok) {
  if (finished_) return;
  ++state_.done;
  if (!ok) ++state_.failed;
  maybe_draw();
}

void progress_bar::maybe_draw() {
  const clock::time_point now = clock::now();
  if (ever_drawn_ && now - last_drawn_ < redraw_interval) return;
  state_.elapsed_s = std::chrono::duration<double>(now - started_).count();
  const std::string line = "\r" + format_progress(state_, terminal_width(fd_, 80)) + "\x1b[K";
  std::fwrite(line.data(), 1, line.size(), stream_);
  std::fflush(stream_);
  last_drawn_ = now;
  ever_drawn_ = true;
  shown_ = true;
}

void progress_bar::hide() {
  if (!shown_) return;
  std::fputs("\r\x1b[K", stream_);
  std::fflush(stream_);
  shown_ = false;  // drawn again by the next event past the redraw interval
}

void progress_bar::finish() {
  hide();
  finished_ = true;
}

}  // namespace report

// What the two timeline renderers share: the bars' spans, the time axis, row labels and headings.
#include "report/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/output.hpp"
#include "text/width.hpp"

namespace report {
namespace {

using text::display_width;

constexpr std::size_t label_columns = timeline_label_columns;

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
}  // namespace

// `text` cut to at most `columns` display columns, ending with "…" when cut.
std::string fit_columns(const std::string &text, std::size_t columns) {
  if (display_width(text) <= columns) return text;
  std::string out;
  std::size_t width = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t next = at + 1;
    while (next < text.size() && is_continuation(text[next])) ++next;
    const std::string piece = text.substr(at, next - at);
    const std::size_t piece_width = display_width(piece);
    if (width + piece_width + 1 > columns) break;
    out += piece;
    width += piece_width;
    at = next;
  }
  return out + "\xE2\x80\xA6";
}

namespace {

std::string seconds_text(std::int64_t us) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f s", static_cast<double>(us) / 1e6);
  return buffer;
}
}  // namespace

std::string request_suffix(const request_event &event) {
  std::string suffix = event.attempt > 1 ? " #" + std::to_string(event.attempt) : "";
  if (event.resend) suffix += " re-sent";
  return suffix;
}

std::string row_label(const run_record &run, const request_event &event) {
  const std::string name(event.artist < run.artists.size() ? run.artists[event.artist] : "?");
  const std::string suffix = request_suffix(event);
  return fit_columns(name, label_columns - text::display_width(suffix)) + suffix;
}

// What went wrong with a request, or "" when it gave a usable answer.
std::string status_note(const request_event &event) {
  if (!event.finished) return "unfinished";
  if (!event.error.empty()) return event.error;
  if (!request_failed(event)) return "";
  if (!event.completed)
    return event.http_status != 0 ? "failed after HTTP " + std::to_string(event.http_status) : "failed";
  return "HTTP " + std::to_string(event.http_status);
}

std::string run_heading(const run_record &run) {
  std::int64_t last_end = 0;
  for (const request_event &event : run.requests) last_end = std::max(last_end, event.end_us);
  return run.label + ": " + counted(run.requests.size(), "request", "requests") + ", the last ending at " +
         seconds_text(last_end);
}

// One tick every ~`spacing` units of `length` (columns or pixels), on a 1-2-5 series of microseconds.
std::int64_t tick_step_us(std::int64_t extent_us, double length, double spacing) {
  const double wanted = static_cast<double>(extent_us) * spacing / std::max(length, 1.0);
  const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(wanted, 1.0))));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (factor * magnitude >= wanted) return std::max<std::int64_t>(1, std::llround(factor * magnitude));
  }
  return std::max<std::int64_t>(1, std::llround(10 * magnitude));
}

// "0", then milliseconds ("250ms") on an axis shorter than a second, else seconds ("1.5s").
std::string tick_label(std::int64_t us, std::int64_t extent_us) {
  if (us == 0) return "0";
  char buffer[32];
  if (extent_us >= 1000000) {
    std::snprintf(buffer, sizeof buffer, "%gs", static_cast<double>(us) / 1e6);
  } else {
    std::snprintf(buffer, sizeof buffer, "%gms", static_cast<double>(us) / 1e3);
  }
  return buffer;
}

request_span span_of(const request_event &event) {
  request_span span;
  span.start_us = event.start_us;
  span.end_us = std::max(event.end_us, event.start_us);
  span.first_byte_us = event.starttransfer_us > 0 ? event.start_us + event.starttransfer_us : span.end_us;
  span.first_byte_us = std::clamp(span.first_byte_us, span.start_us, span.end_us);
  return span;
}

std::int64_t timeline_extent_us(const std::vector<run_record> &runs) {
  std::int64_t extent = 1000;
  for (const run_record &run : runs)
    for (const request_event &event : run.requests) extent = std::max(extent, span_of(event).end_us);
  return extent;
}

}  // namespace report

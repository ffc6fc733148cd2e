// --timeline: the waterfall as text for a terminal.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "report/timeline.hpp"
#include "text/width.hpp"

namespace report {
namespace {

using text::display_width;

constexpr std::size_t label_columns = timeline_label_columns;
constexpr std::size_t note_columns = 9;        // " HTTP 503" after the bar
constexpr std::size_t long_note_columns = 24;  // an error's text: the rest of it is cut
constexpr std::size_t min_width = 40;
constexpr std::size_t max_bar_columns = 400;

const char *const wait_glyph = "\xE2\x96\x91";  // U+2591 light shade
// U+258F (one eighth) to U+2588 (full block): a bar ending after 1 to 8 eighths of a column.
const char *const eighth_glyphs[9] = {" ",
                                      "\xE2\x96\x8F",
                                      "\xE2\x96\x8E",
                                      "\xE2\x96\x8D",
                                      "\xE2\x96\x8C",
                                      "\xE2\x96\x8B",
                                      "\xE2\x96\x8A",
                                      "\xE2\x96\x89",
                                      "\xE2\x96\x88"};
const char *const axis_glyph = "\xE2\x94\x80";  // U+2500
const char *const tick_glyph = "\xE2\x94\xAC";  // U+252C

std::string pad_to(std::string text, std::size_t columns) {
  const std::size_t width = display_width(text);
  if (width < columns) text.append(columns - width, ' ');
  return text;
}

double overlap(double from, double to, double cell) {
  return std::max(0.0, std::min(to, cell + 1) - std::max(from, cell));
}

std::string bar_text(const request_span &span, std::int64_t extent_us, std::size_t columns) {
  const double scale = static_cast<double>(columns) / static_cast<double>(extent_us);
  const double start = static_cast<double>(span.start_us) * scale;
  const double first = static_cast<double>(span.first_byte_us) * scale;
  const double end = static_cast<double>(span.end_us) * scale;
  std::string out;
  bool drawn = false;
  for (std::size_t column = 0; column < columns; ++column) {
    const double cell = static_cast<double>(column);
    const double transfer = overlap(first, end, cell);
    if (transfer > 0) {
      const bool ends_here = first <= cell && end < cell + 1;
      const long eighths = ends_here ? std::clamp(std::lround(transfer * 8), 1L, 8L) : 8;
      out += eighth_glyphs[eighths];
      drawn = true;
    } else if (overlap(start, first, cell) > 0) {
      out += wait_glyph;
      drawn = true;
    } else {
      out += ' ';
    }
  }
  if (!drawn) {  // too short for any column to show: a thin mark where it happened
    const std::size_t column = std::min(columns - 1, static_cast<std::size_t>(start));
    std::string marked;
    for (std::size_t i = 0; i < columns; ++i) marked += i == column ? eighth_glyphs[1] : " ";
    return marked;
  }
  return out;
}

// The axis under the bars, its labels, and a legend (under the bars too when the terminal is wide enough).
void append_axis_text(std::string &out, std::int64_t extent_us, std::size_t columns, std::size_t width) {
  const std::int64_t step = tick_step_us(extent_us, static_cast<double>(columns), 10);
  const double scale = static_cast<double>(columns) / static_cast<double>(extent_us);
  std::vector<bool> ticks(columns, false);
  std::string labels;
  std::size_t labels_width = 0;
  for (std::int64_t t = 0; t <= extent_us; t += step) {
    const auto column =
        std::min(columns - 1, static_cast<std::size_t>(std::llround(static_cast<double>(t) * scale)));
    ticks[column] = true;
    const std::string label = tick_label(t, extent_us);
    if (column < labels_width + (labels_width == 0 ? 0 : 1)) continue;  // would touch the previous label
    labels.append(column - labels_width, ' ');
    labels += label;
    labels_width = column + display_width(label);
  }
  const std::string indent(label_columns + 1, ' ');
  out += indent;
  for (bool tick : ticks) out += tick ? tick_glyph : axis_glyph;
  out += '\n';
  out += indent + labels + '\n';
  const std::string legend =
      std::string(wait_glyph) + " waiting for the first byte  " + eighth_glyphs[8] + " transferring";
  out += (indent.size() + display_width(legend) <= width ? indent : std::string()) + legend + '\n';
}

}  // namespace

std::string render_timeline_text(const std::vector<run_record> &runs, std::size_t width) {
  width = std::max(width, min_width);
  // Room after the bars for the longest note ("HTTP 503", an error), within reason: the bars need it too.
  std::size_t notes = note_columns;
  for (const run_record &run : runs)
    for (const request_event &event : run.requests)
      notes = std::max(notes, std::min(long_note_columns, display_width(status_note(event)) + 1));
  const std::size_t columns = std::min(max_bar_columns, width - label_columns - 1 - notes);
  const std::int64_t extent = timeline_extent_us(runs);
  std::string out;
  for (const run_record &run : runs) {
    out += run_heading(run) + '\n';
    for (const request_event &event : run.requests) {
      std::string line =
          pad_to(row_label(run, event), label_columns) + ' ' + bar_text(span_of(event), extent, columns);
      // The note follows the bar's end, cut to what is left of the line.
      while (!line.empty() && line.back() == ' ') line.pop_back();
      const std::string note = status_note(event);
      const std::size_t used = display_width(line) + 1;
      if (!note.empty())
        line += ' ' + fit_columns(note, width > used ? std::max<std::size_t>(width - used, 8) : 8);
      out += line + '\n';
    }
  }
  append_axis_text(out, extent, columns, width);
  return out;
}

}  // namespace report

#include "report/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/output.hpp"
#include "text/width.hpp"

namespace report {
namespace {

using text::display_width;

constexpr std::size_t label_columns = 20;
constexpr std::size_t note_columns = 9;  // " HTTP 503" after the bar
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

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

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

std::string pad_to(std::string text, std::size_t columns) {
  const std::size_t width = display_width(text);
  if (width < columns) text.append(columns - width, ' ');
  return text;
}

std::string row_label(const run_record &run, const request_event &event) {
  const std::string name = event.artist < run.artists.size() ? run.artists[event.artist] : "?";
  if (event.attempt <= 1) return fit_columns(name, label_columns);
  const std::string suffix = " #" + std::to_string(event.attempt);
  return fit_columns(name, label_columns - suffix.size()) + suffix;
}

// What went wrong with a request, or "" for an HTTP 200.
std::string status_note(const request_event &event) {
  if (!event.finished) return "unfinished";
  if (event.http_status == 200) return "";
  if (event.http_status != 0) return "HTTP " + std::to_string(event.http_status);
  return "failed";
}

std::string seconds_text(std::int64_t us) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f s", static_cast<double>(us) / 1e6);
  return buffer;
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

// ---- SVG
// ---------------------------------------------------------------------------------------------------

constexpr double svg_label_x = 8;
constexpr double svg_plot_x = 180;
constexpr double svg_plot_width = 720;
constexpr double svg_right_margin = 80;
constexpr double svg_row_height = 16;
constexpr double svg_bar_height = 10;
constexpr double svg_heading_height = 24;
constexpr double svg_top = 36;
constexpr double svg_axis_height = 40;

// Text as XML character data or an attribute value. The names reaching here are valid UTF-8 without control
// characters (options.cpp checks them); U+FFFE and U+FFFF, which XML forbids, become U+FFFD.
std::string xml_escape(const std::string &text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += "\xEF\xBF\xBD";
        } else if (text.compare(at, 2, "\xEF\xBF") == 0 && at + 2 < text.size() &&
                   (text[at + 2] == '\xBE' || text[at + 2] == '\xBF')) {
          out += "\xEF\xBF\xBD";
          at += 2;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string ms_text(std::int64_t us) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f ms", static_cast<double>(us) / 1e3);
  return buffer;
}

void append_svg_request(std::string &out, const run_record &run, const request_event &event, double y,
                        std::int64_t extent_us) {
  const request_span span = span_of(event);
  const double scale = svg_plot_width / static_cast<double>(extent_us);
  const double x_start = svg_plot_x + static_cast<double>(span.start_us) * scale;
  const double x_first = svg_plot_x + static_cast<double>(span.first_byte_us) * scale;
  const double x_end = std::max(svg_plot_x + static_cast<double>(span.end_us) * scale, x_first + 0.5);
  const std::string name = event.artist < run.artists.size() ? run.artists[event.artist] : "?";
  const std::string note = status_note(event);
  const bool failed = !note.empty();
  std::string label = name;
  if (event.attempt > 1) label += " #" + std::to_string(event.attempt);

  out += "<g class=\"request";
  out += failed ? " failed\">" : "\">";
  out += "<title>" + xml_escape(label) + ": start " + ms_text(span.start_us) + ", first byte " +
         ms_text(span.first_byte_us) + ", end " + ms_text(span.end_us) + ", " +
         (event.http_status != 0 ? "HTTP " + std::to_string(event.http_status) : std::string("no response")) +
         "</title>";
  out += "<text x=\"" + number(svg_label_x) + "\" y=\"" + number(y + svg_bar_height - 1) + "\">" +
         xml_escape(row_label(run, event)) + "</text>";
  const std::string bar_y = number(y), bar_h = number(svg_bar_height);
  out += "<rect class=\"wait\" x=\"" + number(x_start) + "\" y=\"" + bar_y + "\" width=\"" +
         number(x_first - x_start) + "\" height=\"" + bar_h + "\" fill=\"#b8c7dc\"/>";
  out += "<rect class=\"transfer\" x=\"" + number(x_first) + "\" y=\"" + bar_y + "\" width=\"" +
         number(x_end - x_first) + "\" height=\"" + bar_h + "\" fill=\"" + (failed ? "#c0392b" : "#2f5f9e") +
         "\"/>";
  if (failed) {
    out += "<text class=\"note\" x=\"" + number(x_end + 4) + "\" y=\"" + number(y + svg_bar_height - 1) +
           "\">" + xml_escape(note) + "</text>";
  }
  out += "</g>\n";
}

}  // namespace

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

std::string render_timeline_text(const std::vector<run_record> &runs, std::size_t width) {
  width = std::max(width, min_width);
  const std::size_t columns = std::min(max_bar_columns, width - label_columns - 1 - note_columns);
  const std::int64_t extent = timeline_extent_us(runs);
  std::string out;
  for (const run_record &run : runs) {
    out += run_heading(run) + '\n';
    for (const request_event &event : run.requests) {
      std::string line =
          pad_to(row_label(run, event), label_columns) + ' ' + bar_text(span_of(event), extent, columns);
      const std::string note = status_note(event);
      if (!note.empty()) line += ' ' + note;
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + '\n';
    }
  }
  append_axis_text(out, extent, columns, width);
  return out;
}

std::string render_timeline_svg(const std::vector<run_record> &runs) {
  const std::int64_t extent = timeline_extent_us(runs);
  double height = svg_top;
  for (const run_record &run : runs)
    height += svg_heading_height + svg_row_height * static_cast<double>(run.requests.size());
  height += svg_axis_height;
  const double width = svg_plot_x + svg_plot_width + svg_right_margin;

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + number(width) +
         "\" height=\"" + number(height) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) +
         "\" font-family=\"monospace\" font-size=\"11\">\n";
  out += "<title>artistfetch timeline</title>\n";
  out += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"" + number(width) + "\" height=\"" +
         number(height) + "\" fill=\"#ffffff\"/>\n";
  out +=
      "<text class=\"title\" x=\"" + number(svg_label_x) + "\" y=\"20\" font-size=\"14\">" +
      "artistfetch timeline: waiting for the first byte (light), transferring (dark), failed (red)</text>\n";
  // A faint grid line at every tick, behind the bars, then the runs, then the axis under them.
  const double bottom = height - svg_axis_height + 4;
  const std::int64_t step = tick_step_us(extent, svg_plot_width, 80);
  const double scale = svg_plot_width / static_cast<double>(extent);
  out += "<g class=\"grid\">";
  for (std::int64_t t = 0; t <= extent; t += step) {
    const double x = svg_plot_x + static_cast<double>(t) * scale;
    out += "<line x1=\"" + number(x) + "\" y1=\"" + number(svg_top) + "\" x2=\"" + number(x) + "\" y2=\"" +
           number(bottom) + "\" stroke=\"#e4e4e4\"/>";
  }
  out += "</g>\n";
  double y = svg_top;
  for (const run_record &run : runs) {
    out += "<g class=\"run\" id=\"run-" + xml_escape(run.label) + "\">\n";
    out += "<text class=\"heading\" x=\"" + number(svg_label_x) + "\" y=\"" + number(y + 16) +
           "\" font-weight=\"bold\">" + xml_escape(run_heading(run)) + "</text>\n";
    y += svg_heading_height;
    for (const request_event &event : run.requests) {
      append_svg_request(out, run, event, y, extent);
      y += svg_row_height;
    }
    out += "</g>\n";
  }
  out += "<g class=\"axis\">\n";
  out += "<line x1=\"" + number(svg_plot_x) + "\" y1=\"" + number(bottom) + "\" x2=\"" +
         number(svg_plot_x + svg_plot_width) + "\" y2=\"" + number(bottom) + "\" stroke=\"#000000\"/>\n";
  for (std::int64_t t = 0; t <= extent; t += step) {
    const double x = svg_plot_x + static_cast<double>(t) * scale;
    out += "<line class=\"tick\" x1=\"" + number(x) + "\" y1=\"" + number(bottom) + "\" x2=\"" + number(x) +
           "\" y2=\"" + number(bottom + 5) + "\" stroke=\"#000000\"/>";
    out += "<text x=\"" + number(x) + "\" y=\"" + number(bottom + 18) + "\" text-anchor=\"middle\">" +
           xml_escape(tick_label(t, extent)) + "</text>\n";
  }
  out += "</g>\n</svg>\n";
  return out;
}

}  // namespace report

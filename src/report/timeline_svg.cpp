// --timeline-svg: the waterfall as an SVG image.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "report/timeline.hpp"
#include "text/width.hpp"

namespace report {
namespace {

constexpr double svg_label_x = 8;
constexpr double svg_plot_x = 180;
constexpr double svg_plot_width = 720;
constexpr double svg_right_margin = 80;
constexpr double svg_row_height = 16;
constexpr double svg_bar_height = 10;
constexpr double svg_heading_height = 24;
constexpr double svg_top = 44;
constexpr double svg_axis_height = 48;
constexpr double svg_failed_min_width = 4;
constexpr std::size_t svg_note_columns = 60;
constexpr double svg_char_width = 6.7;  // of the 11 px monospace font
// Taller than this (about a laptop screen), the picture gets its axis at the top as well.
constexpr double svg_screen_height = 900;
constexpr const char *wait_colour = "#b8c7dc";
constexpr const char *transfer_colour = "#2f5f9e";
constexpr const char *failed_colour = "#c0392b";

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
  const std::string note = status_note(event);
  const bool failed = !note.empty();
  // A failure is often instant (a reset right after the headers): its red part is still wide enough to see.
  const double x_end = std::max(svg_plot_x + static_cast<double>(span.end_us) * scale,
                                x_first + (failed ? svg_failed_min_width : 0.5));
  const std::string name(event.artist < run.artists.size() ? run.artists[event.artist] : "?");
  const std::string label = name + request_suffix(event);

  out += "<g class=\"request";
  out += failed ? " failed\">" : "\">";
  out += "<title>" + xml_escape(label) + ": start " + ms_text(span.start_us) + ", first byte " +
         ms_text(span.first_byte_us) + ", end " + ms_text(span.end_us) + ", " +
         xml_escape(failed ? note : "HTTP " + std::to_string(event.http_status)) + "</title>";
  out += "<text x=\"" + number(svg_label_x) + "\" y=\"" + number(y + svg_bar_height - 1) + "\">" +
         xml_escape(row_label(run, event)) + "</text>";
  const std::string bar_y = number(y), bar_h = number(svg_bar_height);
  out += "<rect class=\"wait\" x=\"" + number(x_start) + "\" y=\"" + bar_y + "\" width=\"" +
         number(x_first - x_start) + "\" height=\"" + bar_h + "\" fill=\"" + wait_colour + "\"/>";
  out += "<rect class=\"transfer\" x=\"" + number(x_first) + "\" y=\"" + bar_y + "\" width=\"" +
         number(x_end - x_first) + "\" height=\"" + bar_h + "\" fill=\"" +
         (failed ? failed_colour : transfer_colour) + "\"/>";
  if (failed) {
    out += "<text class=\"note\" x=\"" + number(x_end + 4) + "\" y=\"" + number(y + svg_bar_height - 1) +
           "\" fill=\"" + failed_colour + "\">" + xml_escape(fit_columns(note, svg_note_columns)) + "</text>";
  }
  out += "</g>\n";
}

// Seconds, as the axis title says: "0", "0.25", "1.5".
std::string seconds_label(std::int64_t us) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", static_cast<double>(us) / 1e6);
  return buffer;
}

// A time axis along `y`, its tick labels under it (`below`) or above it.
void append_axis(std::string &out, double y, bool below, std::int64_t extent, std::int64_t step) {
  const double scale = svg_plot_width / static_cast<double>(extent);
  const double tick_end = below ? y + 5 : y - 5;
  const double label_y = below ? y + 18 : y - 9;
  out += std::string("<g class=\"axis ") + (below ? "bottom" : "top") + "\">\n";
  out += "<line x1=\"" + number(svg_plot_x) + "\" y1=\"" + number(y) + "\" x2=\"" +
         number(svg_plot_x + svg_plot_width) + "\" y2=\"" + number(y) + "\" stroke=\"#000000\"/>\n";
  for (std::int64_t t = 0; t <= extent; t += step) {
    const double x = svg_plot_x + static_cast<double>(t) * scale;
    out += "<line class=\"tick\" x1=\"" + number(x) + "\" y1=\"" + number(y) + "\" x2=\"" + number(x) +
           "\" y2=\"" + number(tick_end) + "\" stroke=\"#000000\"/>";
    out += "<text x=\"" + number(x) + "\" y=\"" + number(label_y) + "\" text-anchor=\"middle\">" +
           seconds_label(t) + "</text>\n";
  }
  out += "<text class=\"axis-title\" x=\"" + number(svg_plot_x + svg_plot_width / 2) + "\" y=\"" +
         number(below ? y + 34 : y - 24) + "\" text-anchor=\"middle\">seconds since start</text>\n";
  out += "</g>\n";
}

// The colour key: a swatch and a word for each kind of bar.
void append_legend(std::string &out, double y) {
  const struct {
    const char *colour, *text;
  } keys[] = {{wait_colour, "waiting for the first byte"},
              {transfer_colour, "receiving the answer"},
              {failed_colour, "failed (HTTP error, reset, short or invalid body)"}};
  out += "<g class=\"legend\">";
  double x = svg_label_x;
  for (const auto &key : keys) {
    out += "<rect class=\"swatch\" x=\"" + number(x) + "\" y=\"" + number(y - 9) +
           "\" width=\"14\" height=\"10\" fill=\"" + key.colour + "\"/>";
    out += "<text x=\"" + number(x + 19) + "\" y=\"" + number(y) + "\">" + key.text + "</text>";
    x += 19 + svg_char_width * static_cast<double>(std::string(key.text).size()) + 24;
  }
  out += "</g>\n";
}

// "async was 4.21x faster than sync (1.264 s against 0.300 s)", for a --compare picture.
std::string speedup_text(const std::vector<run_record> &runs) {
  const run_record &first = runs.front(), &last = runs.back();
  if (!(first.wall_s > 0 && last.wall_s > 0)) return {};
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "speedup: %s took %.3f s, %s %.3f s: %.2fx", first.label.c_str(),
                first.wall_s, last.label.c_str(), last.wall_s, first.wall_s / last.wall_s);
  return buffer;
}

}  // namespace

std::string render_timeline_svg(const std::vector<run_record> &runs) {
  const std::int64_t extent = timeline_extent_us(runs);
  double rows_height = 0;
  for (const run_record &run : runs)
    rows_height += svg_heading_height + svg_row_height * static_cast<double>(run.requests.size());
  const std::string speedup = runs.size() >= 2 ? speedup_text(runs) : std::string();
  double top = svg_top + (speedup.empty() ? 0 : 18);
  const bool top_axis = top + rows_height + svg_axis_height > svg_screen_height;
  if (top_axis) top += svg_axis_height;
  const double height = top + rows_height + svg_axis_height;
  // Wide enough for every failure's note after its bar.
  double width = svg_plot_x + svg_plot_width + svg_right_margin;
  for (const run_record &run : runs)
    for (const request_event &event : run.requests) {
      const std::string note = status_note(event);
      if (note.empty()) continue;
      const double end = svg_plot_x + static_cast<double>(span_of(event).end_us) * svg_plot_width /
                                          static_cast<double>(extent);
      const auto columns = static_cast<double>(text::display_width(fit_columns(note, svg_note_columns)));
      width = std::max(width, end + svg_failed_min_width + 4 + svg_char_width * columns + 8);
    }

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + number(width) +
         "\" height=\"" + number(height) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) +
         "\" font-family=\"monospace\" font-size=\"11\">\n";
  out += "<title>artistfetch timeline</title>\n";
  out += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"" + number(width) + "\" height=\"" +
         number(height) + "\" fill=\"#ffffff\"/>\n";
  out += "<text class=\"title\" x=\"" + number(svg_label_x) +
         "\" y=\"16\" font-size=\"14\">artistfetch timeline: one bar per request</text>\n";
  append_legend(out, 32);
  if (!speedup.empty())
    out += "<text class=\"speedup\" x=\"" + number(svg_label_x) + "\" y=\"" + number(svg_top + 10) +
           "\" font-weight=\"bold\">" + xml_escape(speedup) + "</text>\n";
  // A faint grid line at every tick, behind the bars, then the runs, then the axis under them.
  const double bottom = height - svg_axis_height + 4;
  const std::int64_t step = tick_step_us(extent, svg_plot_width, 80);
  const double scale = svg_plot_width / static_cast<double>(extent);
  out += "<g class=\"grid\">";
  for (std::int64_t t = 0; t <= extent; t += step) {
    const double x = svg_plot_x + static_cast<double>(t) * scale;
    out += "<line x1=\"" + number(x) + "\" y1=\"" + number(top) + "\" x2=\"" + number(x) + "\" y2=\"" +
           number(bottom) + "\" stroke=\"#e4e4e4\"/>";
  }
  out += "</g>\n";
  if (top_axis) append_axis(out, top - 4, false, extent, step);
  double y = top;
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
  append_axis(out, bottom, true, extent, step);
  out += "</svg>\n";
  return out;
}

}  // namespace report

// --timeline-svg: the waterfall as an SVG image.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "report/timeline.hpp"

namespace report {
namespace {

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

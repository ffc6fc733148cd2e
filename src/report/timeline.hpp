// --timeline and --timeline-svg: a waterfall of every request of one or more runs on one time axis. Each
// request is a bar from its start to its end, light while waiting for the first byte and solid while the
// response arrives. Several runs (--compare) are stacked, the first on top, all on the same scale so their
// lengths compare directly. Pure: the renderers take the recorded runs and return text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "report/run_log.hpp"

namespace report {

// Where the bar of one request goes, in microseconds on its run's clock: start <= first_byte <= end.
struct request_span {
  std::int64_t start_us = 0;
  std::int64_t first_byte_us = 0;  // equal to start_us when no byte arrived
  std::int64_t end_us = 0;
};

request_span span_of(const request_event &event);

// The length of the shared time axis: the latest end of any request in `runs`, at least 1 ms.
std::int64_t timeline_extent_us(const std::vector<run_record> &runs);

// The waterfall as text for a terminal `width` columns wide (at least 40 are used): per run a heading line,
// then one row per request in start order (the artist's name cut to 20 columns, request_suffix(), the
// bar, and the status when it is not 200), then one axis with time labels under all runs. Bars use U+2591
// while waiting and U+2588 (with eighth blocks at its end) while transferring. Ends with a newline.
std::string render_timeline_text(const std::vector<run_record> &runs, std::size_t width);

// The same as a standalone SVG 1.1 document: a <g class="run"> per run holding a <g class="request"> per
// request (a <title>, the name as <text>, a <rect class="wait"> and a <rect class="transfer">), then a
// <g class="axis"> with ticks and labels. Names are XML-escaped.
std::string render_timeline_svg(const std::vector<run_record> &runs);

// Parts both renderers use.
constexpr std::size_t timeline_label_columns = 20;                         // the artist name before the bars
// After the name: " #N" for the artist's attempt N (a retry), then " re-sent" for a request sent again because
// the server never processed the one before (not an attempt); empty for a first attempt.
std::string request_suffix(const request_event &event);
std::string row_label(const run_record &run, const request_event &event);  // "Name #2", cut to 20 columns
// "HTTP 503", "failed after HTTP 200", the record's error ("response is not valid JSON ..."), or empty for a
// request that gave a usable answer.
std::string status_note(const request_event &event);
std::string fit_columns(const std::string &text, std::size_t columns);  // cut to `columns`, ending in "…"
std::string run_heading(const run_record &run);                         // "async: 3 requests, 0.301 s"
// A round step between ticks, so that ticks on an axis `length` long are about `spacing` apart.
std::int64_t tick_step_us(std::int64_t extent_us, double length, double spacing);
std::string tick_label(std::int64_t us, std::int64_t extent_us);

}  // namespace report

// --stats: what a run cost, computed from its run_record. Pure: no I/O, no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "report/run_log.hpp"

namespace report {

enum class stats_format { none, text, json };  // --stats, --stats=json

// The nearest-rank percentile (`percent` in (0, 100]) of `values`, which need not be sorted: the smallest
// value with at least `percent`% of the values at or below it. 0 for an empty list.
double percentile(std::vector<double> values, double percent);

// Percentiles of one phase of the requests, in milliseconds.
struct latency_summary {
  std::size_t count = 0;  // requests that went through the phase
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
};

// One of the slowest artists: its whole time, from its first request's start to its record's completion
// (retries and the waits between them included).
struct slow_artist {
  std::string artist;
  double total_ms = 0;
  int requests = 0;
};

struct run_stats {
  std::string label;
  std::size_t artists = 0;   // artists in the run
  std::size_t requests = 0;  // requests sent, retries and re-sends included
  std::size_t retries = 0;   // attempts beyond the first of each artist
  std::size_t resent = 0;    // requests sent again because the server never processed them: no attempt
  std::int64_t bytes = 0;    // body bytes downloaded
  std::size_t connections_opened = 0;
  std::size_t connections_reused = 0;                // requests answered over a connection opened before them
  std::map<std::string, std::size_t> http_versions;  // "HTTP/1.1" -> responses; no entry for "none"
  double wall_s = 0;
  // Phases, each over the requests that went through it: DNS, connect (TCP, after DNS) and TLS (after
  // connect) over the requests that opened a connection; first byte is the wait from the end of those
  // phases (or from the start, over a reused connection) to the first byte; total is the whole request.
  latency_summary dns, connect, tls, first_byte, total;
  std::vector<slow_artist> slowest;  // at most 5, slowest first
};

run_stats compute_stats(const run_record &run);

// The stats of every run, as indented text ending with a newline.
std::string render_stats_text(const std::vector<run_stats> &runs);

// The stats of every run as one JSON object on one line: {"runs":[{...},...]}.
std::string render_stats_json(const std::vector<run_stats> &runs);

}  // namespace report

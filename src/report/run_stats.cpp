#include "report/run_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/output.hpp"
#include "text/escape.hpp"

namespace report {
namespace {

constexpr std::size_t slowest_kept = 5;

double ms(std::int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

latency_summary summarize(const std::vector<double> &values_ms) {
  latency_summary summary;
  summary.count = values_ms.size();
  if (values_ms.empty()) return summary;
  summary.p50_ms = percentile(values_ms, 50);
  summary.p90_ms = percentile(values_ms, 90);
  summary.p99_ms = percentile(values_ms, 99);
  summary.max_ms = *std::max_element(values_ms.begin(), values_ms.end());
  return summary;
}

std::string format(const char *pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

struct phase_row {
  const char *name;
  const latency_summary *summary;
};

std::vector<phase_row> phases_of(const run_stats &run) {
  return {{"dns", &run.dns},
          {"connect", &run.connect},
          {"tls", &run.tls},
          {"first_byte", &run.first_byte},
          {"total", &run.total}};
}

void append_text(std::string &out, const run_stats &run) {
  out += "stats (" + run.label + "): " + counted(run.requests, "request", "requests") + " for " +
         counted(run.artists, "artist", "artists") + " (" + counted(run.retries, "retry", "retries");
  if (run.resent > 0) out += ", " + std::to_string(run.resent) + " re-sent unprocessed";
  out += ")";
  char line[256];
  std::snprintf(line, sizeof line, " in %.3f s\n", run.wall_s);
  out += line;
  out += "  downloaded    " + std::to_string(run.bytes) + " bytes\n";
  out += "  connections   " + std::to_string(run.connections_opened) + " opened, " +
         std::to_string(run.connections_reused) + " reused\n";
  out += "  HTTP versions ";
  if (run.http_versions.empty()) out += "none";
  bool first = true;
  for (const auto &[version, count] : run.http_versions) {
    out += (first ? "" : ", ") + version + " x" + std::to_string(count);
    first = false;
  }
  out += '\n';
  out += "  latency (ms)      n      p50      p90      p99      max\n";
  for (const phase_row &phase : phases_of(run)) {
    const latency_summary &s = *phase.summary;
    std::string name = phase.name;
    std::replace(name.begin(), name.end(), '_', ' ');
    std::snprintf(line, sizeof line, "    %-10s %6zu %8.1f %8.1f %8.1f %8.1f\n", name.c_str(), s.count,
                  s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms);
    out += line;
  }
  if (run.slowest.empty()) return;
  out += "  slowest artists\n";
  for (const slow_artist &slow : run.slowest) {
    std::snprintf(line, sizeof line, "    %10.1f ms  ", slow.total_ms);
    out += line + slow.artist;
    if (slow.requests > 1) out += " (" + std::to_string(slow.requests) + " requests)";
    out += '\n';
  }
}

void append_json(std::string &out, const run_stats &run) {
  out += "{\"mode\":";
  text::append_json_string(out, run.label);
  out += ",\"artists\":" + std::to_string(run.artists);
  out += ",\"requests\":" + std::to_string(run.requests);
  out += ",\"retries\":" + std::to_string(run.retries);
  out += ",\"resent\":" + std::to_string(run.resent);
  out += ",\"wall_s\":" + format("%.3f", run.wall_s);
  out += ",\"bytes\":" + std::to_string(run.bytes);
  out += ",\"connections\":{\"opened\":" + std::to_string(run.connections_opened) +
         ",\"reused\":" + std::to_string(run.connections_reused) + "}";
  out += ",\"http_versions\":{";
  bool first = true;
  for (const auto &[version, count] : run.http_versions) {
    if (!first) out += ',';
    text::append_json_string(out, version);
    out += ':' + std::to_string(count);
    first = false;
  }
  out += "},\"latency_ms\":{";
  first = true;
  for (const phase_row &phase : phases_of(run)) {
    const latency_summary &s = *phase.summary;
    out += first ? "\"" : ",\"";
    out += phase.name;
    out += "\":{\"n\":" + std::to_string(s.count) + ",\"p50\":" + format("%.1f", s.p50_ms) +
           ",\"p90\":" + format("%.1f", s.p90_ms) + ",\"p99\":" + format("%.1f", s.p99_ms) +
           ",\"max\":" + format("%.1f", s.max_ms) + "}";
    first = false;
  }
  out += "},\"slowest\":[";
  for (std::size_t i = 0; i < run.slowest.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"artist\":";
    text::append_json_string(out, run.slowest[i].artist);
    out += ",\"total_ms\":" + format("%.1f", run.slowest[i].total_ms) +
           ",\"requests\":" + std::to_string(run.slowest[i].requests) + "}";
  }
  out += "]}";
}

}  // namespace

double percentile(std::vector<double> values, double percent) {
  if (values.empty()) return 0;
  const double rank = std::ceil(percent / 100.0 * static_cast<double>(values.size()));
  std::size_t at = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  at = std::min(at, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(at), values.end());
  return values[at];
}

run_stats compute_stats(const run_record &run) {
  run_stats stats;
  stats.label = run.label;
  stats.artists = run.artists.size();
  stats.requests = run.requests.size();
  stats.wall_s = run.wall_s;

  std::vector<double> dns, connect, tls, first_byte, total;
  std::vector<int> requests_of(run.artists.size(), 0);
  std::vector<const request_event *> first_of(run.artists.size(), nullptr),
      last_of(run.artists.size(), nullptr);
  for (const request_event &event : run.requests) {
    if (event.resend) {
      ++stats.resent;
    } else if (event.attempt > 1) {
      ++stats.retries;
    }
    if (event.artist < requests_of.size()) {
      ++requests_of[event.artist];
      if (first_of[event.artist] == nullptr) first_of[event.artist] = &event;
      last_of[event.artist] = &event;
    }
    if (!event.finished) continue;
    stats.bytes += event.bytes;
    if (event.version != engine::http_version::none) ++stats.http_versions[http_version_name(event.version)];
    if (event.new_connections > 0) {
      stats.connections_opened += static_cast<std::size_t>(event.new_connections);
      dns.push_back(ms(event.namelookup_us));
      if (event.connect_us > 0)
        connect.push_back(ms(std::max<std::int64_t>(0, event.connect_us - event.namelookup_us)));
      if (event.appconnect_us > 0)
        tls.push_back(ms(std::max<std::int64_t>(0, event.appconnect_us - event.connect_us)));
    } else if (event.http_status != 0) {
      ++stats.connections_reused;
    }
    if (event.starttransfer_us > 0) {
      const std::int64_t ready = std::max({event.namelookup_us, event.connect_us, event.appconnect_us});
      first_byte.push_back(ms(std::max<std::int64_t>(0, event.starttransfer_us - ready)));
    }
    total.push_back(ms(event.total_us > 0 ? event.total_us : event.end_us - event.start_us));
  }
  stats.dns = summarize(dns);
  stats.connect = summarize(connect);
  stats.tls = summarize(tls);
  stats.first_byte = summarize(first_byte);
  stats.total = summarize(total);

  std::vector<slow_artist> slow;
  for (std::size_t artist = 0; artist < last_of.size(); ++artist) {
    const request_event *first = first_of[artist], *last = last_of[artist];
    if (first == nullptr) continue;
    // The artist's whole time: from its first request's start to its record, so retries and the waits
    // between them (Retry-After, backoff) count; its last request's end when no record came.
    const std::int64_t done = artist < run.artist_done_us.size() && run.artist_done_us[artist] >= 0
                                  ? run.artist_done_us[artist]
                                  : last->end_us;
    const std::int64_t us = std::max<std::int64_t>(0, done - first->start_us);
    slow.push_back({std::string(run.artists[artist]), ms(us), requests_of[artist]});
  }
  // Stable: among equal times, the earlier artist first.
  std::stable_sort(slow.begin(), slow.end(),
                   [](const slow_artist &a, const slow_artist &b) { return a.total_ms > b.total_ms; });
  if (slow.size() > slowest_kept) slow.resize(slowest_kept);
  stats.slowest = std::move(slow);
  return stats;
}

std::string render_stats_text(const std::vector<run_stats> &runs) {
  std::string out;
  for (const run_stats &run : runs) append_text(out, run);
  return out;
}

std::string render_stats_json(const std::vector<run_stats> &runs) {
  std::string out = "{\"runs\":[";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i > 0) out += ',';
    append_json(out, runs[i]);
  }
  out += "]}\n";
  return out;
}

}  // namespace report

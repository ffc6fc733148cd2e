// What one run did, request by request: the data behind --stats and --timeline. A run_log is an observer
// fed by a run's hooks; the renderers (run_stats.hpp, timeline.hpp) take the finished log and do no I/O.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cli {

// One request (a retry is a request of its own). Times are microseconds. start_us and end_us are on the
// run's clock (zero when the run_log was made); the curl_* values are libcurl's own timings, measured from
// the request's start and cumulative, as CURLINFO_*_TIME_T reports them (0 when a phase did not happen).
struct request_event {
  std::size_t artist = 0;  // index into the run's artists
  int attempt = 1;         // 1 for the first request of that artist, 2 for its first retry, ...
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
  bool finished = false;  // request_finished came; when false the timings below are all 0
  std::int64_t namelookup_us = 0;
  std::int64_t connect_us = 0;
  std::int64_t appconnect_us = 0;     // TLS handshake done; 0 over plain HTTP
  std::int64_t starttransfer_us = 0;  // first byte of the response
  std::int64_t total_us = 0;
  std::int64_t bytes = 0;      // body bytes downloaded
  long http_version = 0;       // CURL_HTTP_VERSION_1_0, _1_1, _2_0, _3; 0 when no response came
  long new_connections = 0;    // CURLINFO_NUM_CONNECTS: 0 means an existing connection was reused
  CURLcode result = CURLE_OK;  // what the transfer ended with (the async runner's own codes included)
  long http_status = 0;        // 0 when no response arrived
};

// A run as the renderers see it.
struct run_record {
  std::string label;                    // "sync" or "async"
  std::vector<std::string> artists;     // the run's artists, by index
  std::vector<request_event> requests;  // in the order the requests started
  double wall_s = 0;                    // the run's wall time, from its run_report
};

// Records the requests of one run. Its clock starts at construction, so make it just before the run.
class run_log {
 public:
  run_log(std::string label, std::vector<std::string> artists);

  // For run_hooks::request_started and run_hooks::request_finished. `easy` is only read, for its timings.
  void request_started(std::size_t artist);
  void request_finished(std::size_t artist, CURL *easy, CURLcode result);

  // Ends the log with the run's wall time and hands its record over; the log is empty afterwards.
  run_record finish(double wall_s);

  std::int64_t now_us() const;

 private:
  run_record record_;
  std::chrono::steady_clock::time_point zero_;
  std::vector<std::size_t> open_;  // per artist: its request in flight, as an index into record_.requests
  std::vector<int> attempts_;      // per artist: requests started so far
};

// "HTTP/1.1" for CURL_HTTP_VERSION_1_1 and so on; "none" for 0, "other" for anything unknown.
std::string http_version_name(long version);

}  // namespace cli

// What one run did, request by request: the data behind --stats and --timeline. A run_log is an observer
// fed by a run's hooks; the renderers (run_stats.hpp, timeline.hpp) take the finished log and do no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/observer.hpp"
#include "text/name_list.hpp"

namespace report {

// One request (a retry or a re-send is a request of its own): libcurl's timings and counters as the engine
// reported them (engine::request_timings, all 0 until the request finished), and when it ran. start_us and
// end_us are microseconds on the run's clock (zero when the run_log was made).
struct request_event : engine::request_timings {
  std::size_t artist = 0;  // index into the run's artists
  int attempt = 1;  // 1 for the artist's first attempt, 2 for its first retry, ...; a re-send keeps its number
  // Sent again because the artist's previous request was never processed (never_processed): not an attempt,
  // so not a retry either.
  bool resend = false;
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;
  bool finished = false;  // request_finished came
  // Why this request failed, when its artist's record says so (the artist's last request ended in an error
  // record); empty otherwise. A failed transfer that was retried has no text: only the last error is known.
  std::string error;
};

// A request that did not give a usable answer: an HTTP status other than 200, a transfer that failed after
// the status arrived (reset, short body, stall, too large), or an answer the record rejected (invalid JSON).
bool request_failed(const request_event &event);

// A run as the renderers see it.
struct run_record {
  std::string label;                    // "sync" or "async"
  text::name_list artists;              // the run's artists, by index
  std::vector<request_event> requests;  // in the order the requests started
  // Per artist: when its record was complete, microseconds on the run's clock; -1 when it never was.
  std::vector<std::int64_t> artist_done_us;
  double wall_s = 0;  // the run's wall time, from its run_report
};

// Records the requests of one run. Its clock starts at construction, so make it just before the run.
class run_log : public engine::run_observer {
 public:
  run_log(std::string label, text::name_list artists);

  void request_started(std::size_t artist) override;
  void request_finished(std::size_t artist, const engine::request_timings &timings) override;
  void artist_finished(std::size_t artist, const itunes::artist_record &record,
                       std::string_view body) override;

  // Ends the log with the run's wall time and hands its record over; the log is empty afterwards.
  run_record finish(double wall_s);

  std::int64_t now_us() const;

 private:
  run_record record_;
  std::chrono::steady_clock::time_point zero_;
  std::vector<std::size_t> open_;  // per artist: its request in flight, as an index into record_.requests
  std::vector<int> attempts_;      // per artist: requests started so far
  std::vector<std::size_t> last_;  // per artist: its latest request, as an index into record_.requests
};

// "HTTP/1.1" for engine::http_version::v1_1 and so on; "none", "other".
std::string http_version_name(engine::http_version version);

}  // namespace report

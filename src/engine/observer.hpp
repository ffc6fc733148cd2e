// What a run tells the rest of the program as it goes, in plain data: no libcurl type crosses this line, so
// the report layer never needs curl.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "itunes/aggregator.hpp"

namespace engine {

enum class http_version { none, v1_0, v1_1, v2, v3, other };

// How one request went, from libcurl's counters. Times are microseconds from the request's start and
// cumulative, as libcurl reports them (0 when a phase did not happen).
struct request_timings {
  std::int64_t namelookup_us = 0;
  std::int64_t connect_us = 0;
  std::int64_t appconnect_us = 0;     // TLS handshake done; 0 over plain HTTP
  std::int64_t starttransfer_us = 0;  // first byte of the response
  std::int64_t total_us = 0;
  std::int64_t bytes = 0;  // body bytes downloaded
  http_version version = http_version::none;
  long new_connections = 0;  // 0 means an existing connection was reused
  long http_status = 0;      // 0 when no response arrived
  bool completed = true;     // false: the transfer failed (timeout, reset, cancelled...)
  // The server never processed it (it died on a reused connection before any byte of an answer), so the
  // run sends it again at once without counting an attempt, unless the run ends the artist first. False for
  // one past the max_unprocessed_resends of its artist, which counts as a failed attempt.
  bool never_processed = false;
};

// Watches a run. Every member has an empty default. A run calls its observers one at a time, never
// concurrently, in no particular order: an observer must not depend on another having been called first.
class run_observer {
 public:
  virtual ~run_observer() = default;
  // A request is about to be sent (a retry counts as a new request).
  virtual void request_started(std::size_t /*artist*/) {}
  // A request has ended.
  virtual void request_finished(std::size_t /*artist*/, const request_timings & /*timings*/) {}
  // An artist's record is complete; `body` is the response it came from when the record is ok (a 200 answer
  // that parsed, or a stored one), else empty. When memory ran out before the record could be copied for the
  // observers, `record` is an error record saying "out of memory" with an empty `artist`: `artist` (the index)
  // still names it.
  virtual void artist_finished(std::size_t /*artist*/, const itunes::artist_record & /*record*/,
                               std::string_view /*body*/) {}
};

// Answers a run may use instead of requests (the response cache).
class answer_store {
 public:
  virtual ~answer_store() = default;
  // Fills `body` and returns true to answer `artist` with it (a record with 0 attempts).
  virtual bool load(std::size_t artist, std::string &body) = 0;
};

// Everything a run reports to, besides its result.
struct run_hooks {
  std::vector<run_observer *> observers;  // not owned
  answer_store *store = nullptr;          // not owned; null: every artist is fetched
};

// What a run returns.
struct run_report {
  itunes::record_list records;  // input order, one per artist
  std::size_t requests = 0;                    // attempts sent, retries included
  double wall_s = 0;
  int signal = 0;           // SIGINT or SIGTERM that cut the run short, else 0
  bool loop_closed = true;  // async: uv_loop_close returned 0
};

// The error text of an artist cut short by SIGINT or SIGTERM.
inline constexpr const char *cancelled_error = "cancelled: interrupted before it finished";
// The error text of an artist a run could not finish for lack of memory (short: copying it never allocates).
inline constexpr const char *out_of_memory_error = "out of memory";

}  // namespace engine

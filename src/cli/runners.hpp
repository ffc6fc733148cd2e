// The two ways of running a lookup: many requests at once on a libuv loop (uvcurl), or one after another
// with curl_easy_perform. Both produce the same records for the same answers.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/request.hpp"
#include "cli/retry_policy.hpp"
#include "itunes/aggregator.hpp"

namespace cli {

// What both runners share, computed once before the first request.
struct run_plan {
  std::vector<std::string> urls;  // urls[i] is artists[i]'s query
  request_settings request;
  retry_settings retry;
  double rate_per_min = 0;  // 0: unlimited
};

run_plan make_run_plan(const options &opts);

struct run_report {
  std::vector<itunes::artist_record> records;  // input order, one per artist
  std::size_t requests = 0;                    // attempts sent, retries included
  double wall_s = 0;
  int signal = 0;                              // SIGINT or SIGTERM that cut the run short, else 0
  bool loop_closed = true;                     // async: uv_loop_close returned 0
};

// Runs every artist's request on a libuv loop of its own, at most opts.concurrency at once.
run_report run_async(const options &opts);

// Runs the requests one after another on one reused easy handle.
run_report run_sync(const options &opts);

}  // namespace cli

// What a run is asked to do, resolved before the first request: every value owned here, so the engine never
// sees the command line that produced it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "itunes/matching.hpp"
#include "itunes/query.hpp"
#include "text/name_list.hpp"

namespace engine {

// Time and size limits of every request.
struct request_settings {
  double timeout_s = 30;
  double connect_timeout_s = 10;
  double stall_timeout_s = 10;  // abort when under stall_min_bytes_per_s for this long
  long stall_min_bytes_per_s = 100;
  long long max_body = 8LL * 1024 * 1024;
  std::string cacert;  // empty: the system's CAs
};

// When an artist's request is tried again, and how long to wait first.
struct retry_settings {
  int retries = 3;             // further attempts after the first
  std::vector<long> statuses;  // HTTP statuses worth another attempt
  double backoff_base_s = 0.5;
  double backoff_cap_s = 30;
  double max_retry_after_s = 60;
  double max_throttled_s = 90;  // give up once every answer for this long said "slow down"; 0: never
};

struct run_plan {
  text::name_list artists;  // distinct; record i is artists[i]'s
  std::string base_url = "https://itunes.apple.com/search";
  bool https = true;  // base_url is https: where HTTP/2 can multiplex (PIPEWAIT, one loop by default)
  itunes::query_params query;
  itunes::match_mode match = itunes::match_mode::exact;
  int concurrency = 50;  // most requests in flight at once
  int threads = 0;       // event loops side by side; 0: automatic (see shard_count in run_async.cpp)
  request_settings request;
  retry_settings retry;
  double rate_per_min = 0;  // 0: unlimited
};

// The query URL of artist `index`, built when its request starts: 20,000 URLs built up front would be
// megabytes held for the whole run.
std::string query_url(const run_plan &plan, std::size_t index);

}  // namespace engine

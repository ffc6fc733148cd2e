// The bound on a server that throttles everything: once every answer for `limit` seconds in a row has said
// "slow down" (403, 429, or any Retry-After), the run stops asking, and the artists not yet done end as
// errors. Without it, each wave of requests waits out the server's Retry-After again, for hours.
// Shared by the shards of an async run: every member is safe to call from any thread.
#pragma once

#include <atomic>
#include <string>

#include "engine/request.hpp"

namespace engine {

class throttle_breaker {
 public:
  explicit throttle_breaker(double limit_s) : limit_s_(limit_s) {}

  // Takes one finished attempt, at `now_s` (any clock, the same one for every call); true once the breaker
  // has tripped, by this attempt or an earlier one. A limit of 0 never trips.
  bool note(const attempt_result &attempt, double now_s);
  bool tripped() const { return tripped_.load(std::memory_order_relaxed); }
  // The error of every artist the run gave up on.
  std::string error() const;

 private:
  const double limit_s_;
  std::atomic<double> streak_start_s_{-1};  // when the current run of throttling answers began; -1: none
  std::atomic<bool> tripped_{false};
};

}  // namespace engine

#include "engine/throttle_breaker.hpp"

#include <sstream>

namespace engine {

bool throttle_breaker::note(const attempt_result &attempt, double now_s) {
  if (tripped() || attempt.never_processed) return tripped();  // a re-send says nothing of the server
  if (!is_throttling_answer(attempt)) {
    streak_start_s_.store(-1, std::memory_order_relaxed);
    return false;
  }
  double start = -1;
  if (streak_start_s_.compare_exchange_strong(start, now_s, std::memory_order_relaxed)) start = now_s;
  if (limit_s_ > 0 && now_s - start >= limit_s_) tripped_.store(true, std::memory_order_relaxed);
  return tripped();
}

std::string throttle_breaker::error() const {
  std::ostringstream text;
  text << "the server kept throttling: every answer for " << limit_s_
       << " s asked to slow down, so the run gave up (--max-throttled)";
  return text.str();
}

}  // namespace engine

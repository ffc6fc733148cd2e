// The one way into a run's aggregator and its observers, shared by both runners.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "engine/observer.hpp"
#include "engine/request.hpp"

namespace engine {

// Records outcomes and tells every observer of each completed record, with the body it came from.
// Never throws std::bad_alloc, since it is called from C callbacks: an answer that does not fit ends its
// artist as out of memory, any other failure (an observer's, a store's) is noted to stop the runs
// (stop_signals.hpp). Thread-safe: the loop thread and the parse worker both record through it, and it calls
// the observers under one lock, so they never run concurrently.
class completion_relay {
 public:
  completion_relay(itunes::aggregator &report, const run_hooks &hooks);
  completion_relay(const completion_relay &) = delete;
  completion_relay &operator=(const completion_relay &) = delete;

  // Answers artist `index` from hooks.store when it has an answer; true when it did (0 attempts).
  bool answer_from_store(std::size_t index);

  // record_attempt(), with `body` shown to the observers; a 200 answer goes through record_answer().
  void record(std::size_t index, const attempt_result &attempt, std::string_view body, int attempts);

  // An outcome without a usable response (aggregator::complete_with_error); when even `error` cannot be
  // copied, the artist's error is engine::out_of_memory_error.
  void record_error(std::size_t index, std::string_view error, long http_status, int attempts);

  // A 200 answer: parsed and filtered without the lock (record_from_response), so that threads recording at
  // once parse side by side, then recorded under it.
  void record_answer(std::size_t index, int attempts, std::string_view body);

  // The observers' request_started and request_finished, under the lock. `easy` is only read;
  // `never_processed` is request_timings::never_processed.
  void request_started(std::size_t index);
  void request_finished(std::size_t index, CURL *easy, CURLcode result, bool never_processed);

 private:
  // Under the lock, after the aggregator accepted a completion of `index`.
  void artist_finished(std::size_t index, std::string_view body);

  // Under the lock: `call(observer)` for each observer, each on its own (one that runs out of memory does not
  // keep the others from hearing of it).
  template <typename Call>
  void notify(Call call);

  std::mutex mutex_;
  itunes::aggregator &report_;
  const run_hooks &hooks_;
};

// libcurl's counters for a request that has ended on `easy`.
request_timings read_timings(CURL *easy, CURLcode result);

}  // namespace engine

// The two ways of running a lookup: many requests at once on a libuv loop (uvcurl), or one after another
// with curl_easy_perform. Both produce the same records for the same answers.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cli/options.hpp"
#include "cli/request.hpp"
#include "cli/retry_policy.hpp"
#include "itunes/aggregator.hpp"

namespace cli {

// What both runners share, computed once before the first request.
struct run_plan {
  const options *opts = nullptr;  // the base URL, query and artists; outlives the plan
  request_settings request;
  retry_settings retry;
  double rate_per_min = 0;  // 0: unlimited
};

run_plan make_run_plan(const options &opts);

// The query URL of artist `index`, built when its request starts: 20,000 URLs built up front would be
// megabytes held for the whole run.
std::string query_url(const run_plan &plan, std::size_t index);

// Every artist's query URL, in input order (the response cache keys its entries by them).
std::vector<std::string> query_urls(const options &opts);

struct run_report {
  std::vector<itunes::artist_record> records;  // input order, one per artist
  std::size_t requests = 0;                    // attempts sent, retries included
  double wall_s = 0;
  int signal = 0;           // SIGINT or SIGTERM that cut the run short, else 0
  bool loop_closed = true;  // async: uv_loop_close returned 0
};

// What a run tells its observers as it goes (progress, statistics, streaming output, the cache). Every member
// may be left empty. They are called on the thread of the run, never concurrently.
struct run_hooks {
  // Before any request: fill `body` and return true to answer the artist from a stored response instead.
  std::function<bool(std::size_t index, std::string &body)> stored_response;
  // A request is about to be sent (a retry counts as a new request).
  std::function<void(std::size_t index)> request_started;
  // A request has ended; `easy` still holds its timings and counters for curl_easy_getinfo.
  std::function<void(std::size_t index, CURL *easy, CURLcode result)> request_finished;
  // An artist's record is complete; for a 200 answer that parsed, `body` is the response, else empty.
  std::function<void(std::size_t index, const itunes::artist_record &record, std::string_view body)>
      artist_finished;
};

// Adds `then` after a hook that may already be set: observers stack up on one run_hooks, each keeping the
// ones attached before it.
template <typename... Args, typename Then>
std::function<void(Args...)> chain(std::function<void(Args...)> first, Then then) {
  if (!first) return then;
  return [first = std::move(first), then = std::move(then)](Args... args) {
    first(args...);
    then(args...);
  };
}

// The one way into a run's aggregator and its hooks: records outcomes and passes each completed record on to
// hooks.artist_finished, with the body it came from. Thread-safe: the loop thread and the parse worker both
// record through it, and it calls every hook under one lock, so hooks never run concurrently.
class completion_relay {
 public:
  completion_relay(itunes::aggregator &report, const run_hooks &hooks);
  completion_relay(const completion_relay &) = delete;
  completion_relay &operator=(const completion_relay &) = delete;

  // Answers artist `index` from hooks.stored_response when there is one; true when it did (0 attempts).
  bool answer_from_store(std::size_t index);

  // record_attempt(), with `body` shown to hooks.artist_finished; a 200 answer goes through record_answer().
  void record(std::size_t index, const attempt_result &attempt, std::string_view body, int attempts);

  // An outcome without a usable response (aggregator::complete_with_error).
  void record_error(std::size_t index, std::string error, long http_status, int attempts);

  // A 200 answer: parsed and filtered without the lock (record_from_response), so that threads recording at
  // once parse side by side, then recorded under it.
  void record_answer(std::size_t index, int attempts, std::string_view body);

  // hooks.request_started and hooks.request_finished, under the lock.
  void request_started(std::size_t index);
  void request_finished(std::size_t index, CURL *easy, CURLcode result);

 private:
  std::mutex mutex_;
  itunes::aggregator &report_;
  const run_hooks &hooks_;
  std::string_view body_;  // the body being recorded, while the lock is held
};

// Runs every artist's request on a libuv loop of its own, at most opts.concurrency at once.
run_report run_async(const options &opts, const run_hooks &hooks = {});

// Runs the requests one after another on one reused easy handle.
run_report run_sync(const options &opts, const run_hooks &hooks = {});

}  // namespace cli

#include "cli/runners.hpp"

#include "itunes/query.hpp"

namespace cli {

run_plan make_run_plan(const options &opts) {
  run_plan plan;
  plan.opts = &opts;
  plan.request = make_request_settings(opts);
  plan.retry = make_retry_settings(opts);
  // The real API documents about 20 calls a minute per client; elsewhere only --rate limits.
  plan.rate_per_min = opts.rate_given ? opts.rate_per_min : (is_itunes_host(opts.base_url) ? 20 : 0);
  return plan;
}

std::string query_url(const run_plan &plan, std::size_t index) {
  return itunes::build_query_url(plan.opts->base_url, plan.opts->artists[index], plan.opts->query);
}

std::vector<std::string> query_urls(const options &opts) {
  const run_plan plan = make_run_plan(opts);
  std::vector<std::string> urls;
  urls.reserve(opts.artists.size());
  for (std::size_t index = 0; index < opts.artists.size(); ++index) urls.push_back(query_url(plan, index));
  return urls;
}

completion_relay::completion_relay(itunes::aggregator &report, const run_hooks &hooks)
    : report_(report), hooks_(hooks) {
  if (!hooks_.artist_finished) return;
  report_.on_complete([this](std::size_t index, const itunes::artist_record &record) {
    hooks_.artist_finished(index, record, record.ok ? body_ : std::string_view());
  });
}

bool completion_relay::answer_from_store(std::size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string body;
  if (!hooks_.stored_response || !hooks_.stored_response(index, body)) return false;
  body_ = body;
  report_.complete_with_response(index, 200, body, 0);
  body_ = {};
  return true;
}

void completion_relay::record(std::size_t index, const attempt_result &attempt, std::string_view body,
                              int attempts) {
  if (is_results_answer(attempt)) {
    record_answer(index, attempts, body);  // parsed outside the lock
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  body_ = body;
  record_attempt(report_, index, attempt, body, attempts);
  body_ = {};
}

void completion_relay::record_error(std::size_t index, std::string error, long http_status, int attempts) {
  std::lock_guard<std::mutex> lock(mutex_);
  report_.complete_with_error(index, std::move(error), http_status, attempts);
}

void completion_relay::record_answer(std::size_t index, int attempts, std::string_view body) {
  itunes::artist_record record =
      itunes::record_from_response(report_.artist(index), 200, body, attempts, report_.mode());
  std::lock_guard<std::mutex> lock(mutex_);
  body_ = body;
  report_.complete(index, std::move(record));
  body_ = {};
}

void completion_relay::request_started(std::size_t index) {
  if (!hooks_.request_started) return;
  std::lock_guard<std::mutex> lock(mutex_);
  hooks_.request_started(index);
}

void completion_relay::request_finished(std::size_t index, CURL *easy, CURLcode result) {
  if (!hooks_.request_finished) return;
  std::lock_guard<std::mutex> lock(mutex_);
  hooks_.request_finished(index, easy, result);
}

}  // namespace cli

#include "engine/completion_relay.hpp"

#include <new>
#include <utility>

#include "engine/stop_signals.hpp"

namespace engine {
namespace {

constexpr const char *out_of_memory_while_parsing = "out of memory while parsing the response";

std::int64_t info_time_us(CURL *easy, CURLINFO what) {
  curl_off_t value = 0;
  if (curl_easy_getinfo(easy, what, &value) != CURLE_OK || value < 0) return 0;
  return static_cast<std::int64_t>(value);
}

http_version version_of(long curl_version) {
  switch (curl_version) {
    case 0:
      return http_version::none;
    case CURL_HTTP_VERSION_1_0:
      return http_version::v1_0;
    case CURL_HTTP_VERSION_1_1:
      return http_version::v1_1;
    case CURL_HTTP_VERSION_2_0:
      return http_version::v2;
    case CURL_HTTP_VERSION_3:
      return http_version::v3;
    default:
      return http_version::other;
  }
}

}  // namespace

request_timings read_timings(CURL *easy, CURLcode result) {
  request_timings timings;
  timings.completed = result == CURLE_OK;
  if (easy == nullptr) return timings;
  timings.namelookup_us = info_time_us(easy, CURLINFO_NAMELOOKUP_TIME_T);
  timings.connect_us = info_time_us(easy, CURLINFO_CONNECT_TIME_T);
  timings.appconnect_us = info_time_us(easy, CURLINFO_APPCONNECT_TIME_T);
  timings.starttransfer_us = info_time_us(easy, CURLINFO_STARTTRANSFER_TIME_T);
  timings.total_us = info_time_us(easy, CURLINFO_TOTAL_TIME_T);
  curl_off_t bytes = 0;
  if (curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &bytes) == CURLE_OK && bytes > 0)
    timings.bytes = bytes;
  long value = 0;
  if (curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &value) == CURLE_OK) timings.version = version_of(value);
  value = 0;
  if (curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &value) == CURLE_OK) timings.new_connections = value;
  value = 0;
  if (curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &value) == CURLE_OK) timings.http_status = value;
  return timings;
}

completion_relay::completion_relay(itunes::aggregator &report, const run_hooks &hooks)
    : report_(report), hooks_(hooks) {}

template <typename Call>
void completion_relay::notify(Call call) {
  for (run_observer *observer : hooks_.observers) {
    try {
      call(*observer);
    } catch (const std::bad_alloc &) {  // the observers after it still hear of it; the runs stop
      note_out_of_memory(true);
    }
  }
}

void completion_relay::artist_finished(std::size_t index, std::string_view body) {
  if (hooks_.observers.empty()) return;
  try {
    const itunes::artist_record record = report_.record(index);  // a copy: the list keeps records compact
    const std::string_view shown = record.ok ? body : std::string_view();
    notify([&](run_observer &observer) { observer.artist_finished(index, record, shown); });
  } catch (const std::bad_alloc &) {  // no copy to show: the observers get an out of memory record instead
    note_out_of_memory(true);
    itunes::artist_record lost;  // nothing in it allocates: the text fits in the string itself
    lost.error = out_of_memory_error;
    notify([&](run_observer &observer) { observer.artist_finished(index, lost, {}); });
  }
}

bool completion_relay::answer_from_store(std::size_t index) {
  if (hooks_.store == nullptr) return false;
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string body;
    if (!hooks_.store->load(index, body)) return false;
    if (report_.complete_with_response(index, 200, body, 0)) artist_finished(index, body);
    return true;
  } catch (const std::bad_alloc &) {  // left to the run, which stops at once and ends it as out of memory
    note_out_of_memory(true);
    return false;
  }
}

void completion_relay::record(std::size_t index, const attempt_result &attempt, std::string_view body,
                              int attempts) {
  if (is_results_answer(attempt)) {
    record_answer(index, attempts, body);  // parsed outside the lock
    return;
  }
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    if (record_attempt(report_, index, attempt, body, attempts)) artist_finished(index, body);
  } catch (const std::bad_alloc &) {
    note_out_of_memory(true);
    record_error(index, out_of_memory_error, attempt.http_status, attempts);
  }
}

void completion_relay::record_error(std::size_t index, std::string_view error, long http_status,
                                    int attempts) {
  std::string text;
  try {
    text = error;
  } catch (const std::bad_alloc &) {
    note_out_of_memory(true);
    text = out_of_memory_error;  // fits in the string itself: no allocation
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (report_.complete_with_error(index, std::move(text), http_status, attempts)) artist_finished(index, {});
}

void completion_relay::record_answer(std::size_t index, int attempts, std::string_view body) {
  try {
    itunes::artist_record record =
        itunes::record_from_response(report_.artist(index), 200, body, attempts, report_.mode());
    std::lock_guard<std::mutex> lock(mutex_);
    if (report_.complete(index, std::move(record))) artist_finished(index, body);
  } catch (const std::bad_alloc &) {  // this answer's parse did not fit: the artist's own failure
    note_out_of_memory(false);
    record_error(index, out_of_memory_while_parsing, 200, attempts);
  }
}

void completion_relay::request_started(std::size_t index) {
  if (hooks_.observers.empty()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  notify([index](run_observer &observer) { observer.request_started(index); });
}

void completion_relay::request_finished(std::size_t index, CURL *easy, CURLcode result,
                                        bool never_processed) {
  if (hooks_.observers.empty()) return;
  request_timings timings = read_timings(easy, result);
  timings.never_processed = never_processed;
  std::lock_guard<std::mutex> lock(mutex_);
  notify([index, &timings](run_observer &observer) { observer.request_finished(index, timings); });
}

}  // namespace engine

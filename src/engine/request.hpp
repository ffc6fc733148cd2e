// One HTTP attempt for one artist, shared by the sync and async runners: easy-handle setup, the body
// buffer, and what an attempt's outcome means (done, or retry after a delay).
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "engine/observer.hpp"
#include "engine/plan.hpp"
#include "engine/retry_policy.hpp"
#include "itunes/aggregator.hpp"

namespace engine {

// Where libcurl's write callback puts one attempt's body; reused across attempts.
struct response_buffer {
  CURL *easy = nullptr;
  std::string body;
  long long max_body = 0;
  bool https = false;  // the requests are https: a redirect to plain http is refused
  bool too_large = false;
  bool out_of_memory = false;  // the body did not fit in memory
  int socket_errno = 0;        // why the last socket could not be opened (libcurl 7.88 does not keep it)
  char error[CURL_ERROR_SIZE] = {};

  void reset();  // before each attempt
};

// Sets every option that stays the same from one request to the next on `easy`, and points its write callback
// and error buffer at `buffer`, which must outlive the handle's use. Secure by default: TLS verified,
// http and https only (redirects too; https only when `https`, the scheme of every request), at most 10
// redirects, bodies capped at max_body whatever the framing. Throws std::bad_alloc when libcurl cannot copy
// --cacert.
void configure_easy(CURL *easy, const request_settings &settings, bool https, response_buffer &buffer);

// Points `easy` at `url` for the next attempt; `pipewait` (for https) waits for a connection that HTTP/2 can
// multiplex rather than opening another. Throws std::bad_alloc when libcurl cannot copy the URL.
void set_request_url(CURL *easy, const std::string &url, bool pipewait);

// What one attempt produced, read off the handle after it finished.
struct attempt_result {
  CURLcode code = CURLE_OK;
  long http_status = 0;       // 0 when no response arrived
  double retry_after_s = -1;  // clamped Retry-After, or -1 when absent
  std::string error;          // for code != CURLE_OK: curl's own message, or ours for the size limit
  // It died on a connection it reused before any byte of an answer came back (a keep-alive connection the
  // server had closed, an HTTP/2 stream above a GOAWAY's last stream id): the server never processed it, so
  // sending it again is safe for any request and says nothing about the artist or the server's health.
  bool never_processed = false;
};

// How many times one artist's request that the server never processed is sent again, on top of --retries.
// libcurl re-sends such a request itself up to 5 times per handle and run; this bounds a run of bad luck.
inline constexpr int max_unprocessed_resends = 16;

attempt_result read_attempt(CURL *easy, CURLcode code, const response_buffer &buffer,
                            double max_retry_after_s);

// What to do after an attempt.
struct verdict {
  bool retry = false;
  double delay_s = 0;
  bool throttled = false;  // pause every request for delay_s, not only this one
};

// `attempts` counts the attempts made, this one included; `unit_random` is uniform in [0, 1).
verdict judge_attempt(const attempt_result &attempt, int attempts, const retry_settings &settings,
                      double unit_random);

// A 200 answer: the artist's record comes from parsing its body (record_from_response).
bool is_results_answer(const attempt_result &attempt);

// An answer asking to slow down: 403 or 429, or any answer with Retry-After (503 + Retry-After, usually).
bool is_throttling_answer(const attempt_result &attempt);

// Records an artist's final attempt (ok, HTTP error, curl error) in the aggregator; false when the artist
// was already complete.
bool record_attempt(itunes::aggregator &report, std::size_t index, const attempt_result &attempt,
                    std::string_view body, int attempts);

}  // namespace engine

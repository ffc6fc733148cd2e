// When to try an artist's request again, and how long to wait first. Pure functions, no I/O.
#pragma once

#include <curl/curl.h>

#include <string>
#include <vector>

#include "engine/plan.hpp"

namespace engine {

// The statuses retried unless --retry-on replaces them.
std::vector<long> default_retry_statuses();

// Transport failures that another attempt may cure: refused or failed connections, timeouts, resets,
// truncated bodies. Not DNS, TLS verification, redirects, or our own size limit.
bool is_transient(CURLcode code);

// 403 and 429: the API saying "slow down"; retrying them pauses every request, not only this one.
bool is_throttling_status(long http_status);

// Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))].
// `attempt` counts the attempts made so far (1 after the first failure); `unit_random` is in [0, 1).
double backoff_delay(int attempt, double base_s, double cap_s, double unit_random);

// CURLINFO_RETRY_AFTER, in seconds from now: 0 (none), negative (an HTTP-date in the past), or huge.
// Returns the wait in seconds clamped to [0, max_s], or -1 when there was no Retry-After.
double clamp_retry_after(curl_off_t retry_after, double max_s);

}  // namespace engine

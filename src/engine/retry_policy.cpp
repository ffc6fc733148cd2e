#include "engine/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace engine {

std::vector<long> default_retry_statuses() {
  return {408, 429, 500, 502, 503, 504};
}

bool is_transient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

bool is_throttling_status(long http_status) {
  return http_status == 403 || http_status == 429;
}

double backoff_delay(int attempt, double base_s, double cap_s, double unit_random) {
  if (attempt < 1) attempt = 1;
  // 2^(attempt-1) overflows nothing in a double for any int; min() keeps it bounded by the cap.
  double ceiling = std::min(cap_s, base_s * std::ldexp(1.0, std::min(attempt - 1, 1000)));
  if (!(ceiling > 0)) return 0;
  return std::clamp(unit_random, 0.0, 1.0) * ceiling;
}

double clamp_retry_after(curl_off_t retry_after, double max_s) {
  if (retry_after == 0) return -1;  // libcurl 7.88 reports 0 for "no header" and for "Retry-After: 0"
  if (retry_after < 0) return 0;    // an HTTP-date in the past: go now
  return std::min(static_cast<double>(retry_after), max_s);
}

}  // namespace engine

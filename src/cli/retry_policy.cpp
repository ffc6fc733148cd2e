#include "cli/retry_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "cli/options.hpp"

namespace cli {

std::vector<long> default_retry_statuses() { return {408, 429, 500, 502, 503, 504}; }

std::string url_host(const std::string &url) {
  std::size_t start = url.find("://");
  if (start == std::string::npos) return {};
  start += 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  std::size_t at = authority.rfind('@');
  if (at != std::string::npos) authority.erase(0, at + 1);
  if (!authority.empty() && authority[0] == '[') {  // an IPv6 literal keeps its colons
    std::size_t close = authority.find(']');
    authority = authority.substr(0, close == std::string::npos ? std::string::npos : close + 1);
  } else {
    authority = authority.substr(0, authority.find(':'));
  }
  std::transform(authority.begin(), authority.end(), authority.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return authority;
}

bool is_itunes_host(const std::string &url) {
  std::string host = url_host(url);
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host == "itunes.apple.com";
}

retry_settings make_retry_settings(const options &opts) {
  retry_settings settings;
  settings.retries = opts.retries;
  settings.statuses = opts.retry_on_given ? opts.retry_on : default_retry_statuses();
  if (!opts.retry_on_given && is_itunes_host(opts.base_url)) settings.statuses.push_back(403);
  settings.backoff_base_s = opts.backoff_base_s;
  settings.backoff_cap_s = opts.backoff_cap_s;
  settings.max_retry_after_s = opts.max_retry_after_s;
  return settings;
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

bool is_throttling_status(long http_status) { return http_status == 403 || http_status == 429; }

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

}  // namespace cli

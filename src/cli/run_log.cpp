#include "cli/run_log.hpp"

#include <limits>
#include <utility>

namespace cli {
namespace {

constexpr std::size_t no_request = std::numeric_limits<std::size_t>::max();

std::int64_t info_time_us(CURL *easy, CURLINFO what) {
  curl_off_t value = 0;
  if (curl_easy_getinfo(easy, what, &value) != CURLE_OK || value < 0) return 0;
  return static_cast<std::int64_t>(value);
}

}  // namespace

run_log::run_log(std::string label, std::vector<std::string> artists)
    : zero_(std::chrono::steady_clock::now()),
      open_(artists.size(), no_request),
      attempts_(artists.size(), 0) {
  record_.label = std::move(label);
  record_.artists = std::move(artists);
}

std::int64_t run_log::now_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - zero_)
      .count();
}

void run_log::request_started(std::size_t artist) {
  if (artist >= open_.size()) return;
  request_event event;
  event.artist = artist;
  event.attempt = ++attempts_[artist];
  event.start_us = event.end_us = now_us();
  open_[artist] = record_.requests.size();
  record_.requests.push_back(event);
}

void run_log::request_finished(std::size_t artist, CURL *easy, CURLcode result) {
  if (artist >= open_.size() || open_[artist] == no_request) return;
  request_event &event = record_.requests[open_[artist]];
  open_[artist] = no_request;
  event.end_us = now_us();
  event.finished = true;
  event.result = result;
  if (easy == nullptr) return;
  event.namelookup_us = info_time_us(easy, CURLINFO_NAMELOOKUP_TIME_T);
  event.connect_us = info_time_us(easy, CURLINFO_CONNECT_TIME_T);
  event.appconnect_us = info_time_us(easy, CURLINFO_APPCONNECT_TIME_T);
  event.starttransfer_us = info_time_us(easy, CURLINFO_STARTTRANSFER_TIME_T);
  event.total_us = info_time_us(easy, CURLINFO_TOTAL_TIME_T);
  curl_off_t bytes = 0;
  if (curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &bytes) == CURLE_OK && bytes > 0) event.bytes = bytes;
  long value = 0;
  if (curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &value) == CURLE_OK) event.http_version = value;
  value = 0;
  if (curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &value) == CURLE_OK) event.new_connections = value;
  value = 0;
  if (curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &value) == CURLE_OK) event.http_status = value;
}

run_record run_log::finish(double wall_s) {
  // A request still open (none is, unless a runner skipped request_finished) ends with the run.
  const std::int64_t now = now_us();
  for (std::size_t &open : open_) {
    if (open != no_request) record_.requests[open].end_us = now;
    open = no_request;
  }
  record_.wall_s = wall_s;
  run_record done = std::move(record_);
  record_ = run_record{};
  return done;
}

std::string http_version_name(long version) {
  switch (version) {
    case 0:
      return "none";
    case CURL_HTTP_VERSION_1_0:
      return "HTTP/1.0";
    case CURL_HTTP_VERSION_1_1:
      return "HTTP/1.1";
    case CURL_HTTP_VERSION_2_0:
      return "HTTP/2";
    case CURL_HTTP_VERSION_3:
      return "HTTP/3";
    default:
      return "other";
  }
}

}  // namespace cli

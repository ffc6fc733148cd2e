#include "report/run_log.hpp"

#include <limits>
#include <utility>

namespace report {
namespace {

constexpr std::size_t no_request = std::numeric_limits<std::size_t>::max();

}  // namespace

run_log::run_log(std::string label, text::name_list artists)
    : zero_(std::chrono::steady_clock::now()),
      open_(artists.size(), no_request),
      attempts_(artists.size(), 0),
      last_(artists.size(), no_request) {
  record_.artist_done_us.assign(artists.size(), -1);
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
  event.resend = last_[artist] != no_request && record_.requests[last_[artist]].never_processed;
  event.attempt = event.resend ? attempts_[artist] : ++attempts_[artist];
  event.start_us = event.end_us = now_us();
  record_.requests.push_back(event);  // first: out of memory here must leave no index past the end
  open_[artist] = last_[artist] = record_.requests.size() - 1;
}

void run_log::artist_finished(std::size_t artist, const itunes::artist_record &record, std::string_view) {
  if (artist >= last_.size()) return;
  record_.artist_done_us[artist] = now_us();
  if (record.ok || last_[artist] == no_request) return;
  // The record's error is the last request's, unless that request's HTTP status already says it.
  request_event &last = record_.requests[last_[artist]];
  if (last.http_status == 200 || last.http_status == 0 || !last.completed) last.error = record.error;
}

bool request_failed(const request_event &event) {
  return !event.finished || !event.completed || event.http_status != 200 || !event.error.empty();
}

void run_log::request_finished(std::size_t artist, const engine::request_timings &timings) {
  if (artist >= open_.size() || open_[artist] == no_request) return;
  request_event &event = record_.requests[open_[artist]];
  open_[artist] = no_request;
  event.end_us = now_us();
  static_cast<engine::request_timings &>(event) = timings;
  event.finished = true;
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
  record_.artist_done_us.assign(done.artist_done_us.size(), -1);
  return done;
}

std::string http_version_name(engine::http_version version) {
  switch (version) {
    case engine::http_version::none:
      return "none";
    case engine::http_version::v1_0:
      return "HTTP/1.0";
    case engine::http_version::v1_1:
      return "HTTP/1.1";
    case engine::http_version::v2:
      return "HTTP/2";
    case engine::http_version::v3:
      return "HTTP/3";
    case engine::http_version::other:
      break;
  }
  return "other";
}

}  // namespace report

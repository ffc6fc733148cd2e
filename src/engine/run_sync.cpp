// The sync runner: one easy handle, one request after another, so users can see what N x latency costs.
// Signals arrive through a plain handler that sets a flag; the progress callback turns it into an abort and
// the sleeps between attempts wake on EINTR.
#include <time.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <new>
#include <random>

#include "engine/completion_relay.hpp"
#include "engine/runners.hpp"
#include "engine/stop_signals.hpp"
#include "engine/throttle_breaker.hpp"
#include "engine/token_bucket.hpp"

namespace engine {
namespace {

volatile std::sig_atomic_t stop_signal = 0;

extern "C" void on_stop_signal(int signum) {
  stop_signal = signum;
}

int abort_when_stopped(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  return stop_signal != 0;
}

// Installs the handlers for the run's lifetime and restores the previous ones after.
class stop_signals {
 public:
  stop_signals() {
    stop_signal = recorded_stop_signal();  // one from before the run stops it at once
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: nanosleep must return early
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
    sigaction(SIGHUP, &action, &previous_hup_);
  }
  ~stop_signals() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
    sigaction(SIGHUP, &previous_hup_, nullptr);
  }
  stop_signals(const stop_signals &) = delete;
  stop_signals &operator=(const stop_signals &) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  struct sigaction previous_hup_ {};
};

// Sleeps for `seconds` unless a stop signal comes first.
void sleep_unless_stopped(double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (stop_signal == 0) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::nanoseconds::zero()) return;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    struct timespec pause {};
    pause.tv_sec = static_cast<time_t>(ns / 1000000000);
    pause.tv_nsec = static_cast<long>(ns % 1000000000);
    nanosleep(&pause, nullptr);
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

run_report run_sync(const run_plan &plan, const run_hooks &hooks) {
  const auto started = std::chrono::steady_clock::now();
  itunes::aggregator report(plan.artists, plan.match, static_cast<std::size_t>(plan.query.limit));
  completion_relay relay(report, hooks);
  token_bucket bucket(plan.rate_per_min, default_burst(plan.rate_per_min));
  std::mt19937_64 random(std::random_device{}());
  throttle_breaker breaker(plan.retry.max_throttled_s);
  run_report result;
  stop_signals signals;

  std::unique_ptr<CURL, void (*)(CURL *)> easy(curl_easy_init(), curl_easy_cleanup);
  response_buffer buffer;
  if (easy) {
    try {
      configure_easy(easy.get(), plan.request, plan.https, buffer);
    } catch (const std::bad_alloc &) {  // every artist ends as out of memory, below
      note_out_of_memory(true);
    }
    curl_easy_setopt(easy.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy.get(), CURLOPT_XFERINFOFUNCTION, abort_when_stopped);
  }

  // One artist's attempts until its record is complete. `attempts` counts them as they go.
  const auto fetch_one = [&](std::size_t index, int &attempts) {
    if (relay.answer_from_store(index)) return;
    if (breaker.tripped()) {
      relay.record_error(index, breaker.error(), 0, 0);
      return;
    }
    int resends = 0;

    bool resend = false;  // the last request never reached the server: again at once, not counted
    while (!report.is_complete(index)) {
      if (!resend) sleep_unless_stopped(bucket.wait_s(seconds_since(started)));
      if (stop_signal != 0) {
        relay.record_error(index, cancelled_error, 0, attempts);
        break;
      }
      if (!resend) {
        bucket.try_take(seconds_since(started));
        ++attempts;
      }
      buffer.reset();
      set_request_url(easy.get(), query_url(plan, index), plan.https);
      ++result.requests;
      relay.request_started(index);
      const CURLcode code = curl_easy_perform(easy.get());
      const attempt_result attempt = read_attempt(easy.get(), code, buffer, plan.retry.max_retry_after_s);
      resend = attempt.never_processed && resends < max_unprocessed_resends;
      relay.request_finished(index, easy.get(), code, resend);
      if (stop_signal != 0 && code == CURLE_ABORTED_BY_CALLBACK) {
        relay.record_error(index, cancelled_error, attempt.http_status, attempts);
        break;
      }
      if (breaker.note(attempt, seconds_since(started)) && is_throttling_answer(attempt)) {
        relay.record_error(index, breaker.error(), attempt.http_status, attempts);
        break;
      }
      if (resend) {
        ++resends;
        continue;
      }
      double unit_random = std::uniform_real_distribution<double>(0.0, 1.0)(random);
      const verdict next = judge_attempt(attempt, attempts, plan.retry, unit_random);
      if (!next.retry) {
        relay.record(index, attempt, buffer.body, attempts);
        break;
      }
      sleep_unless_stopped(next.delay_s);
    }
  };

  for (std::size_t index = 0; index < plan.artists.size(); ++index) {
    if (out_of_memory_stops_runs()) {  // like a signal: no more requests
      relay.record_error(index, out_of_memory_error, 0, 0);
      continue;
    }
    if (!easy) {
      relay.record_error(index, "could not create a curl handle", 0, 0);
      continue;
    }
    int attempts = 0;
    try {
      fetch_one(index, attempts);
    } catch (const std::bad_alloc &) {  // this artist ends here, the others at the top of the loop
      note_out_of_memory(true);
      relay.record_error(index, out_of_memory_error, 0, attempts);
    }
  }
  result.records = report.take_report();
  result.signal = stop_signal;
  result.wall_s = seconds_since(started);
  return result;
}

}  // namespace engine

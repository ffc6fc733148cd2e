// The async runner: a scheduler over uvcurl. Artists wait in `ready_` until a slot (an easy handle from a
// fixed pool), a token of the rate limit and the end of any throttling pause allow them to start; a failed
// attempt worth retrying waits in `delayed_` until its backoff ends. One uv timer wakes the scheduler for
// whichever of those comes first, so nothing busy-waits.
#include <uvcurl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <deque>
#include <limits>
#include <memory>
#include <queue>
#include <random>

#include "cli/parse_worker.hpp"
#include "cli/runners.hpp"
#include "cli/token_bucket.hpp"

namespace cli {
namespace {

struct curl_easy_deleter {
  void operator()(CURL *easy) const noexcept { curl_easy_cleanup(easy); }
};

class async_run {
 public:
  async_run(const options &opts, run_plan plan, const run_hooks &hooks)
      : opts_(opts),
        plan_(std::move(plan)),
        hooks_(hooks),
        report_(opts.artists, opts.match),
        relay_(report_, hooks),
        parser_(report_.artists(), report_.mode(), relay_, static_cast<std::size_t>(opts.concurrency)),
        attempts_(opts.artists.size(), 0),
        bucket_(plan_.rate_per_min, default_burst(plan_.rate_per_min)),
        random_(std::random_device{}()) {}

  run_report run();

 private:
  struct slot {
    async_run *owner = nullptr;
    std::unique_ptr<CURL, curl_easy_deleter> easy;
    response_buffer buffer;
    std::size_t index = 0;
    bool busy = false;
  };
  struct delayed_retry {
    double due_s;
    std::size_t index;
    bool operator>(const delayed_retry &other) const { return due_s > other.due_s; }
  };

  double now_s() const { return static_cast<double>(uv_now(&loop_)) / 1000.0; }
  slot *take_slot();
  void start(slot *free_slot, std::size_t index);
  void pump();
  void arm_wakeup(double now);
  void stop(int signum);
  void finish();
  void close_handles();
  void close_handle(uv_handle_t *handle);

  static void on_done(CURL *easy, CURLcode result, void *user_data);
  static void on_wakeup(uv_timer_t *timer);
  static void on_check(uv_check_t *check);
  static void on_signal(uv_signal_t *handle, int signum);

  const options &opts_;
  run_plan plan_;
  const run_hooks &hooks_;
  itunes::aggregator report_;
  completion_relay relay_;
  parse_worker parser_;
  std::vector<int> attempts_;
  token_bucket bucket_;
  std::mt19937_64 random_;

  uv_loop_t loop_{};
  uvcurl_t *curl_ = nullptr;
  uv_timer_t wakeup_{};
  uv_check_t flush_parser_{};  // hands the iteration's answers to the parse worker
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};

  std::deque<std::size_t> ready_;
  std::priority_queue<delayed_retry, std::vector<delayed_retry>, std::greater<>> delayed_;
  std::vector<std::unique_ptr<slot>> slots_;
  std::vector<slot *> free_slots_;
  std::size_t in_flight_ = 0;
  std::size_t requests_ = 0;
  double paused_until_s_ = 0;
  int signal_ = 0;
  bool finished_ = false;
};

async_run::slot *async_run::take_slot() {
  if (!free_slots_.empty()) {
    slot *reused = free_slots_.back();
    free_slots_.pop_back();
    return reused;
  }
  if (slots_.size() >= static_cast<std::size_t>(opts_.concurrency)) return nullptr;
  auto fresh = std::make_unique<slot>();
  fresh->owner = this;
  fresh->easy.reset(curl_easy_init());
  if (!fresh->easy) return nullptr;
  configure_easy(fresh->easy.get(), plan_.request, fresh->buffer);
  slots_.push_back(std::move(fresh));
  return slots_.back().get();
}

void async_run::start(slot *free_slot, std::size_t index) {
  free_slot->index = index;
  free_slot->buffer.reset();
  set_request_url(free_slot->easy.get(), query_url(plan_, index));
  ++attempts_[index];
  ++requests_;
  relay_.request_started(index);
  int rc = uvcurl_add(curl_, free_slot->easy.get(), on_done, free_slot);
  if (rc != 0) {
    relay_.record_error(index, std::string("could not start the request: ") + uvcurl_strerror(rc), 0,
                        attempts_[index]);
    free_slots_.push_back(free_slot);
    return;
  }
  free_slot->busy = true;
  ++in_flight_;
}

void async_run::pump() {
  if (finished_) return;
  const double now = now_s();
  while (!delayed_.empty() && delayed_.top().due_s <= now) {
    ready_.push_back(delayed_.top().index);
    delayed_.pop();
  }
  while (signal_ == 0 && !ready_.empty() && now >= paused_until_s_ && bucket_.wait_s(now) == 0) {
    slot *free_slot = take_slot();
    if (free_slot == nullptr) break;
    bucket_.try_take(now);
    std::size_t index = ready_.front();
    ready_.pop_front();
    start(free_slot, index);
  }
  if (ready_.empty() && delayed_.empty() && in_flight_ == 0) {
    finish();
    return;
  }
  arm_wakeup(now);
}

void async_run::arm_wakeup(double now) {
  double wake = std::numeric_limits<double>::infinity();
  if (!delayed_.empty()) wake = delayed_.top().due_s;
  // Only a pause or the rate limit can hold back ready artists while a slot is free; a busy pool is woken by
  // the next completion instead.
  if (!ready_.empty() && in_flight_ < static_cast<std::size_t>(opts_.concurrency))
    wake = std::min(wake, std::max(paused_until_s_, now + bucket_.wait_s(now)));
  if (wake == std::numeric_limits<double>::infinity()) {
    uv_timer_stop(&wakeup_);
    return;
  }
  // At least 1 ms, rounded up: libuv 1.44 runs a 0 ms timer started from a timer callback again in the same
  // pass, without updating its clock, so a 0 here would spin forever.
  const double delay_ms = std::ceil((wake - now) * 1000.0);
  uv_timer_start(&wakeup_, on_wakeup, delay_ms < 1 ? 1 : static_cast<uint64_t>(delay_ms), 0);
}

void async_run::on_done(CURL *easy, CURLcode result, void *user_data) {
  auto *done_slot = static_cast<slot *>(user_data);
  async_run &self = *done_slot->owner;
  --self.in_flight_;
  done_slot->busy = false;
  const std::size_t index = done_slot->index;
  const int attempts = self.attempts_[index];
  attempt_result attempt = read_attempt(easy, result, done_slot->buffer, self.plan_.retry.max_retry_after_s);
  self.relay_.request_finished(index, easy, result);
  if (self.signal_ != 0 && result == UVCURL_CANCELLED) {
    self.relay_.record_error(index, cancelled_error, attempt.http_status, attempts);
  } else {
    double unit_random = std::uniform_real_distribution<double>(0.0, 1.0)(self.random_);
    verdict next = judge_attempt(attempt, attempts, self.plan_.retry, unit_random);
    if (next.retry && self.signal_ == 0) {
      const double now = self.now_s();
      self.delayed_.push({now + next.delay_s, index});
      if (next.throttled) self.paused_until_s_ = std::max(self.paused_until_s_, now + next.delay_s);
    } else if (attempt.code == CURLE_OK && attempt.http_status == 200) {
      self.parser_.submit(index, attempts, done_slot->buffer.body);
    } else {
      self.relay_.record(index, attempt, done_slot->buffer.body, attempts);
    }
  }
  self.free_slots_.push_back(done_slot);
  self.pump();
}

void async_run::on_wakeup(uv_timer_t *timer) { static_cast<async_run *>(timer->data)->pump(); }

void async_run::on_check(uv_check_t *check) { static_cast<async_run *>(check->data)->parser_.flush(); }

void async_run::on_signal(uv_signal_t *handle, int signum) { static_cast<async_run *>(handle->data)->stop(signum); }

void async_run::stop(int signum) {
  if (signal_ != 0) return;
  signal_ = signum;
  auto cancel_waiting = [this](std::size_t index) {
    relay_.record_error(index, cancelled_error, 0, attempts_[index]);
  };
  for (std::size_t index : ready_) cancel_waiting(index);
  ready_.clear();
  for (; !delayed_.empty(); delayed_.pop()) cancel_waiting(delayed_.top().index);
  // Each cancel reports through on_done at once; collect the handles first since that frees their slots.
  std::vector<CURL *> running;
  for (const auto &each : slots_)
    if (each->busy) running.push_back(each->easy.get());
  for (CURL *easy : running) uvcurl_cancel(curl_, easy);
  pump();
}

void async_run::close_handle(uv_handle_t *handle) {
  if (!uv_is_closing(handle)) uv_close(handle, nullptr);
}

void async_run::finish() {
  finished_ = true;
  uvcurl_close(curl_, nullptr, nullptr);
  close_handles();
}

void async_run::close_handles() {
  close_handle(reinterpret_cast<uv_handle_t *>(&wakeup_));
  close_handle(reinterpret_cast<uv_handle_t *>(&flush_parser_));
  close_handle(reinterpret_cast<uv_handle_t *>(&sigint_));
  close_handle(reinterpret_cast<uv_handle_t *>(&sigterm_));
}

run_report async_run::run() {
  run_report result;
  const auto started = std::chrono::steady_clock::now();
  if (uv_loop_init(&loop_) != 0) {
    result.loop_closed = false;
    for (std::size_t i = 0; i < report_.size(); ++i) relay_.record_error(i, "could not start libuv", 0, 0);
    result.records = report_.take_report();
    return result;
  }
  uv_timer_init(&loop_, &wakeup_);
  wakeup_.data = this;
  uv_check_init(&loop_, &flush_parser_);
  flush_parser_.data = this;
  uv_check_start(&flush_parser_, on_check);
  uv_unref(reinterpret_cast<uv_handle_t *>(&flush_parser_));  // it never keeps the loop alive by itself
  uv_signal_init(&loop_, &sigint_);
  uv_signal_init(&loop_, &sigterm_);
  sigint_.data = sigterm_.data = this;
  uv_signal_start(&sigint_, on_signal, SIGINT);
  uv_signal_start(&sigterm_, on_signal, SIGTERM);

  int rc = uvcurl_init(&loop_, &curl_);
  if (rc == 0) {
    CURLM *multi = uvcurl_multi(curl_);
    // In flight never exceeds the pool, so neither need connections; HTTP/2 multiplexes within them.
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(opts_.concurrency));
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
    slots_.reserve(static_cast<std::size_t>(opts_.concurrency));
    for (std::size_t i = 0; i < report_.size(); ++i)
      if (!relay_.answer_from_store(i)) ready_.push_back(i);
    pump();
  } else {
    for (std::size_t i = 0; i < report_.size(); ++i)
      relay_.record_error(i, std::string("could not start: ") + uvcurl_strerror(rc), 0, 0);
    finished_ = true;
    close_handles();
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  result.loop_closed = uv_loop_close(&loop_) == 0;
  parser_.finish();  // every answer recorded before the report is taken
  slots_.clear();  // the easy handles outlive the multi handle, as libcurl requires
  result.records = report_.take_report();
  result.requests = requests_;
  result.signal = signal_;
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

run_report run_async(const options &opts, const run_hooks &hooks) {
  return async_run(opts, make_run_plan(opts), hooks).run();
}

}  // namespace cli

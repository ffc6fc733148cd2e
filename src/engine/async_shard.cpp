#include "engine/async_shard.hpp"

#include <uvcurl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <queue>
#include <random>
#include <string_view>

#include "engine/parse_worker.hpp"
#include "engine/stop_signals.hpp"
#include "engine/token_bucket.hpp"
#include "engine/write_batcher.hpp"

namespace engine {
namespace {

struct curl_easy_deleter {
  void operator()(CURL *easy) const noexcept { curl_easy_cleanup(easy); }
};

class async_run {
 public:
  async_run(run_shared &shared, shard_settings settings)
      : shared_(shared),
        concurrency_(static_cast<std::size_t>(settings.concurrency)),
        pool_limit_(concurrency_),
        bucket_(shared.plan.rate_per_min, default_burst(shared.plan.rate_per_min)),
        random_(std::random_device{}()) {
    // Here rather than in the callbacks: handing a slot back must never allocate.
    slots_.reserve(concurrency_);
    free_slots_.reserve(concurrency_);
    if (!settings.parse_worker) return;
    try {
      parser_ = std::make_unique<parse_worker>(shared.relay, concurrency_);
    } catch (const std::exception &) {  // no thread or no memory for one: the loop thread parses
    }
  }

  shard_outcome run();

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
  void start(slot *free_slot, std::size_t index, bool resend);
  void pump();
  void schedule();
  bool complete(slot &done_slot, CURL *easy, CURLcode result);
  void arm_wakeup(double now);
  void stop(int signum);
  void give_up();
  void run_out_of_memory();
  void abandon(std::string_view error);
  bool stopping() const { return signal_ != 0 || gave_up_ || out_of_memory_; }
  void pause_until(double until_s);
  void finish();
  void close_handles();
  void close_handle(uv_handle_t *handle);
  bool has_ready() const { return !resends_.empty() || !retries_.empty() || shared_.has_next(); }
  std::optional<std::size_t> take_ready();

  // Called by C (uvcurl, libuv): no exception may leave them. Out of memory inside ends the run as a signal
  // would (run_out_of_memory), except where it is one artist's own (completion_relay, response_buffer).
  static void on_done(CURL *easy, CURLcode result, void *user_data) noexcept;
  static void on_wakeup(uv_timer_t *timer) noexcept;
  static void on_check(uv_check_t *check) noexcept;
  static void on_signal(uv_signal_t *handle, int signum) noexcept;

  run_shared &shared_;
  const std::size_t concurrency_;
  std::size_t pool_limit_;                // concurrency_, or fewer once an easy handle could not be created
  std::unique_ptr<parse_worker> parser_;  // null: the loop thread parses
  token_bucket bucket_;
  std::mt19937_64 random_;

  uv_loop_t loop_{};
  uvcurl_t *curl_ = nullptr;
  uv_timer_t wakeup_{};
  uv_check_t flush_parser_{};  // hands the iteration's answers to the parse worker
  write_batcher batcher_;      // before slots_: it must outlive every connection their handles opened
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  uv_signal_t sighup_{};

  std::deque<std::size_t> resends_;  // requests the server never processed: again at once, no token
  std::deque<std::size_t> retries_;  // retries whose backoff has ended
  std::priority_queue<delayed_retry, std::vector<delayed_retry>, std::greater<>> delayed_;
  std::vector<std::unique_ptr<slot>> slots_;
  std::vector<slot *> free_slots_;
  std::size_t in_flight_ = 0;
  std::size_t requests_ = 0;
  int signal_ = 0;
  bool gave_up_ = false;  // the throttle breaker tripped
  bool out_of_memory_ = false;
  bool finished_ = false;
};

async_run::slot *async_run::take_slot() {
  if (!free_slots_.empty()) {
    slot *reused = free_slots_.back();
    free_slots_.pop_back();
    return reused;
  }
  if (slots_.size() >= pool_limit_) return nullptr;
  auto fresh = std::make_unique<slot>();
  fresh->owner = this;
  fresh->easy.reset(curl_easy_init());
  if (!fresh->easy) {  // out of memory: the shard goes on with the handles it has, if any
    pool_limit_ = slots_.size();
    if (pool_limit_ == 0) throw std::bad_alloc();
    return nullptr;
  }
  configure_easy(fresh->easy.get(), shared_.plan.request, shared_.plan.https, fresh->buffer);
  batcher_.attach(fresh->easy.get());
  slots_.push_back(std::move(fresh));
  return slots_.back().get();
}

void async_run::start(slot *free_slot, std::size_t index, bool resend) {
  free_slot->index = index;
  free_slot->buffer.reset();
  try {
    set_request_url(free_slot->easy.get(), query_url(shared_.plan, index), shared_.plan.https);
  } catch (const std::bad_alloc &) {  // the artist is taken: it ends here, then the run stops
    free_slots_.push_back(free_slot);
    shared_.relay.record_error(index, out_of_memory_error, 0, shared_.attempts[index]);
    throw;
  }
  if (!resend) ++shared_.attempts[index];
  ++requests_;
  shared_.relay.request_started(index);
  int rc = uvcurl_add(curl_, free_slot->easy.get(), on_done, free_slot);
  if (rc != 0) {
    shared_.relay.record_error(index, std::string("could not start the request: ") + uvcurl_strerror(rc), 0,
                               shared_.attempts[index]);
    free_slots_.push_back(free_slot);
    return;
  }
  free_slot->busy = true;
  ++in_flight_;
}

// This shard's re-sends, then its retries, come before the artists no shard has started yet.
std::optional<std::size_t> async_run::take_ready() {
  if (!resends_.empty()) {
    const std::size_t index = resends_.front();
    resends_.pop_front();
    return index;
  }
  if (retries_.empty()) return shared_.take_next();
  const std::size_t index = retries_.front();
  retries_.pop_front();
  return index;
}

void async_run::pump() {
  if (finished_) return;
  try {
    schedule();
  } catch (const std::bad_alloc &) {
    run_out_of_memory();
  }
}

void async_run::schedule() {
  if (signal_ == 0 && shared_.signal.load() != 0) {  // another shard was interrupted first
    stop(shared_.signal.load());
    return;
  }
  if (!stopping() && out_of_memory_stops_runs()) {  // here or in another shard, an allocation failed
    run_out_of_memory();
    return;
  }
  if (!stopping() && shared_.breaker.tripped()) {  // another shard gave up on the server
    give_up();
    return;
  }
  const double now = now_s();
  while (!delayed_.empty() && delayed_.top().due_s <= now) {
    retries_.push_back(delayed_.top().index);
    delayed_.pop();
  }
  while (!stopping() && has_ready() && now >= shared_.paused_until_s.load() &&
         (!resends_.empty() || bucket_.wait_s(now) == 0)) {
    slot *free_slot = take_slot();
    if (free_slot == nullptr) break;
    const bool resend = !resends_.empty();  // take_ready serves these first
    const std::optional<std::size_t> index = take_ready();
    if (!index) {  // other shards took the rest
      free_slots_.push_back(free_slot);
      break;
    }
    if (!resend) bucket_.try_take(now);
    start(free_slot, *index, resend);
  }
  if (!has_ready() && delayed_.empty() && in_flight_ == 0) {
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
  if (has_ready() && in_flight_ < pool_limit_)
    wake = std::min(wake, std::max(shared_.paused_until_s.load(), now + bucket_.wait_s(now)));
  if (wake == std::numeric_limits<double>::infinity()) {
    uv_timer_stop(&wakeup_);
    return;
  }
  // At least 1 ms, rounded up: libuv 1.44 runs a 0 ms timer started from a timer callback again in the same
  // pass, without updating its clock, so a 0 here would spin forever.
  const double delay_ms = std::ceil((wake - now) * 1000.0);
  uv_timer_start(&wakeup_, on_wakeup, delay_ms < 1 ? 1 : static_cast<uint64_t>(delay_ms), 0);
}

void async_run::on_done(CURL *easy, CURLcode result, void *user_data) noexcept {
  auto *done_slot = static_cast<slot *>(user_data);
  async_run &self = *done_slot->owner;
  --self.in_flight_;
  done_slot->busy = false;
  bool trips = false;
  try {
    trips = self.complete(*done_slot, easy, result);
  } catch (const std::bad_alloc &) {  // its artist ends as out of memory; pump() then stops the run
    note_out_of_memory(true);
    const std::size_t index = done_slot->index;
    self.shared_.relay.record_error(index, out_of_memory_error, 0, self.shared_.attempts[index]);
  }
  self.free_slots_.push_back(done_slot);  // never allocates: reserved for the whole pool
  if (trips) {
    self.give_up();
  } else {
    self.pump();
  }
}

// What a finished transfer means for its artist: recorded, re-sent, retried later or parsed. True when it
// trips the throttle breaker.
bool async_run::complete(slot &done_slot, CURL *easy, CURLcode result) {
  const std::size_t index = done_slot.index;
  const int attempts = shared_.attempts[index];
  attempt_result attempt = read_attempt(easy, result, done_slot.buffer, shared_.plan.retry.max_retry_after_s);
  const bool resend =
      attempt.never_processed && shared_.resends[index] < max_unprocessed_resends && !stopping();
  shared_.relay.request_finished(index, easy, result, resend);
  const bool cancelled = result == UVCURL_CANCELLED;
  if (signal_ != 0 && cancelled) {
    shared_.relay.record_error(index, cancelled_error, attempt.http_status, attempts);
  } else if (gave_up_ && cancelled) {
    shared_.relay.record_error(index, shared_.breaker.error(), 0, attempts);
  } else if (out_of_memory_ && cancelled) {
    shared_.relay.record_error(index, out_of_memory_error, attempt.http_status, attempts);
  } else if (shared_.breaker.note(attempt, now_s()) && is_throttling_answer(attempt)) {
    shared_.relay.record_error(index, shared_.breaker.error(), attempt.http_status, attempts);
    return true;
  } else {
    double unit_random = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
    verdict next = judge_attempt(attempt, attempts, shared_.plan.retry, unit_random);
    if (resend) {
      ++shared_.resends[index];
      resends_.push_back(index);
    } else if (next.retry && !stopping()) {
      const double now = now_s();
      delayed_.push({now + next.delay_s, index});
      if (next.throttled) pause_until(now + next.delay_s);
    } else if (parser_ && is_results_answer(attempt)) {
      parser_->submit(index, attempts, done_slot.buffer.body);
    } else {
      shared_.relay.record(index, attempt, done_slot.buffer.body, attempts);
    }
  }
  return false;
}

void async_run::on_wakeup(uv_timer_t *timer) noexcept {
  static_cast<async_run *>(timer->data)->pump();
}

void async_run::on_check(uv_check_t *check) noexcept {
  static_cast<async_run *>(check->data)->parser_->flush();
}

void async_run::pause_until(double until_s) {
  double current = shared_.paused_until_s.load();
  while (current < until_s && !shared_.paused_until_s.compare_exchange_weak(current, until_s)) {
  }
}

void async_run::on_signal(uv_signal_t *handle, int signum) noexcept {
  auto *self = static_cast<async_run *>(handle->data);
  int none = 0;
  self->shared_.signal.compare_exchange_strong(none, signum);  // the first signal of the run is its outcome
  self->stop(signum);
}

void async_run::stop(int signum) {
  if (signal_ != 0) return;
  signal_ = signum;
  abandon(cancelled_error);
}

void async_run::give_up() {
  if (stopping()) return;
  std::string error;
  try {
    error = shared_.breaker.error();
  } catch (const std::bad_alloc &) {
    run_out_of_memory();
    return;
  }
  gave_up_ = true;
  abandon(error);
}

// Like a signal: every run stops, and what this shard has not finished ends as out of memory.
void async_run::run_out_of_memory() {
  note_out_of_memory(true);
  if (stopping()) return;  // already ending everything with another reason
  out_of_memory_ = true;
  abandon(out_of_memory_error);
}

// Ends every artist this shard holds or may still take with `error`; those in flight are cancelled and
// on_done records them. Allocates nothing, so that it serves when memory has run out.
void async_run::abandon(std::string_view error) {
  auto cancel_waiting = [this, error](std::size_t index) {
    shared_.relay.record_error(index, error, 0, shared_.attempts[index]);
  };
  while (const std::optional<std::size_t> index = take_ready()) cancel_waiting(*index);
  for (; !delayed_.empty(); delayed_.pop()) cancel_waiting(delayed_.top().index);
  // Each cancel reports through on_done at once, which hands the slot back to free_slots_ (slots_ stays as
  // it is) and starts nothing new, since the shard is stopping.
  for (const auto &each : slots_)
    if (each->busy) uvcurl_cancel(curl_, each->easy.get());
  pump();
}

void async_run::close_handle(uv_handle_t *handle) {
  if (!uv_is_closing(handle)) uv_close(handle, nullptr);
}

void async_run::finish() {
  if (finished_) return;
  finished_ = true;
  uvcurl_close(curl_, nullptr, nullptr);
  close_handles();
}

void async_run::close_handles() {
  close_handle(reinterpret_cast<uv_handle_t *>(&wakeup_));
  close_handle(reinterpret_cast<uv_handle_t *>(&flush_parser_));
  batcher_.close();
  close_handle(reinterpret_cast<uv_handle_t *>(&sigint_));
  close_handle(reinterpret_cast<uv_handle_t *>(&sigterm_));
  close_handle(reinterpret_cast<uv_handle_t *>(&sighup_));
}

shard_outcome async_run::run() {
  shard_outcome outcome;
  if (uv_loop_init(&loop_) != 0) {
    outcome.loop_closed = false;
    outcome.failure = "could not start libuv";
    return outcome;
  }
  uv_timer_init(&loop_, &wakeup_);
  wakeup_.data = this;
  batcher_.start(&loop_);  // without it, every write simply leaves at once
  uv_check_init(&loop_, &flush_parser_);
  flush_parser_.data = this;
  if (parser_) {
    uv_check_start(&flush_parser_, on_check);
    uv_unref(reinterpret_cast<uv_handle_t *>(&flush_parser_));  // it never keeps the loop alive by itself
  }
  uv_signal_init(&loop_, &sigint_);
  uv_signal_init(&loop_, &sigterm_);
  uv_signal_init(&loop_, &sighup_);
  sigint_.data = sigterm_.data = sighup_.data = this;
  // Every shard's loop watches all three: libuv tells each loop of a signal.
  uv_signal_start(&sigint_, on_signal, SIGINT);
  uv_signal_start(&sigterm_, on_signal, SIGTERM);
  uv_signal_start(&sighup_, on_signal, SIGHUP);
  // A signal from before the loops (reading the names, the cache) stops the run at its first pump().
  int none = 0;
  shared_.signal.compare_exchange_strong(none, recorded_stop_signal());

  int rc = uvcurl_init(&loop_, &curl_);
  if (rc == 0) {
    CURLM *multi = uvcurl_multi(curl_);
    // In flight never exceeds the pool, so neither need connections; HTTP/2 multiplexes within them.
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(concurrency_));
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
    pump();
  } else {
    outcome.failure = std::string("could not start: ") + uvcurl_strerror(rc);
    finished_ = true;
    close_handles();
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  outcome.loop_closed = uv_loop_close(&loop_) == 0;
  if (parser_) parser_->finish();  // every answer recorded before the report is taken
  slots_.clear();                  // the easy handles outlive the multi handle, as libcurl requires
  outcome.requests = requests_;
  return outcome;
}

}  // namespace

shard_outcome run_shard(run_shared &shared, const shard_settings &settings) {
  return async_run(shared, settings).run();
}

}  // namespace engine

#include "engine/parse_worker.hpp"

#include <new>
#include <utility>

#include "engine/completion_relay.hpp"

namespace engine {

parse_worker::parse_worker(completion_relay &relay, std::size_t backlog)
    : relay_(relay), backlog_(backlog), thread_([this] { work(); }) {}

parse_worker::~parse_worker() {
  finish();
}

void parse_worker::submit(std::size_t index, int attempts, std::string &body) {
  job answer{index, attempts, std::exchange(body, std::string())};
  if (waiting_.load(std::memory_order_relaxed) >= backlog_) {
    record(answer);
    return;
  }
  try {
    queued_.push_back(std::move(answer));
  } catch (const std::bad_alloc &) {  // no room in the queue: parsed here, like past the backlog
    record(answer);
    return;
  }
  waiting_.fetch_add(1, std::memory_order_relaxed);
  // One loop iteration can finish hundreds of HTTP/2 streams: hand them over in batches as they come, or the
  // backlog fills before the iteration ends and the loop thread ends up parsing them all itself.
  constexpr std::size_t batch = 16;
  if (queued_.size() >= batch) flush();
}

void parse_worker::record(job &answer) {
  relay_.record_answer(answer.index, answer.attempts, answer.body);
}

void parse_worker::flush() noexcept {
  if (queued_.empty()) return;
  bool was_idle = false;
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    was_idle = handed_.empty();
    if (was_idle) {
      handed_.swap(queued_);
    } else {
      handed_.reserve(handed_.size() + queued_.size());  // the only step that allocates, before any move
      for (job &each : queued_) handed_.push_back(std::move(each));
      queued_.clear();
    }
  } catch (const std::bad_alloc &) {  // no room to hand them over: parsed here
    for (job &each : queued_) {
      record(each);
      waiting_.fetch_sub(1, std::memory_order_relaxed);
    }
    queued_.clear();
    return;
  }
  // A worker with work left has not gone back to waiting: it takes the new jobs without being woken.
  if (was_idle) wake_.notify_one();
}

void parse_worker::finish() {
  if (!thread_.joinable()) return;
  flush();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void parse_worker::work() {
  std::vector<job> batch;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return !handed_.empty() || stopping_; });
    if (handed_.empty()) return;  // stopping, and everything handed over is recorded
    batch.swap(handed_);
    lock.unlock();
    for (job &each : batch) {
      record(each);
      each.body = std::string();  // freed as it goes, not with the whole batch
      waiting_.fetch_sub(1, std::memory_order_relaxed);
    }
    batch.clear();
    lock.lock();
  }
}

}  // namespace engine

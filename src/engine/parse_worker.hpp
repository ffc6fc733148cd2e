// Parses 200 responses on a thread of its own, so the loop thread spends its time on the network: parsing,
// filtering and recording a body would otherwise take a share of the one thread that drives the transfers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace engine {

class completion_relay;

class parse_worker {
 public:
  // Records through `relay` (completion_relay::record_answer), which must outlive the worker. At most
  // `backlog` answers wait for the worker: past that the loop thread parses them itself, which bounds memory
  // when the worker falls behind.
  parse_worker(completion_relay &relay, std::size_t backlog);
  ~parse_worker();  // finish()
  parse_worker(const parse_worker &) = delete;
  parse_worker &operator=(const parse_worker &) = delete;

  // Loop thread: queues artist `index`'s 200 answer, taking `body` (left empty), or records it at once when
  // the backlog is full or the queue cannot grow. Queued answers reach the worker at flush(), which this
  // calls every 16 answers.
  void submit(std::size_t index, int attempts, std::string &body);

  // Loop thread: hands everything queued to the worker with at most one wakeup. Called once per loop
  // iteration and by submit(), so a burst of completions costs a few wakeups, not one each.
  void flush() noexcept;

  // Waits until every answer handed over is recorded, then stops the thread. Idempotent.
  void finish();

 private:
  struct job {
    std::size_t index;
    int attempts;
    std::string body;
  };

  void work();
  void record(job &answer);

  completion_relay &relay_;
  const std::size_t backlog_;
  std::atomic<std::size_t> waiting_{0};  // answers submitted and not yet recorded
  std::vector<job> queued_;              // the loop thread's, until flush()

  std::mutex mutex_;  // guards handed_ and stopping_
  std::condition_variable wake_;
  std::vector<job> handed_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace engine

// One shard of an async run: a scheduler over uvcurl on a libuv loop of its own. Artists wait, in input
// order, until a slot (an easy handle from a fixed pool), a token of the rate limit and the end of any
// throttling pause allow them to start; a failed attempt worth retrying waits until its backoff ends, then
// goes ahead of the artists not yet started. One uv timer wakes the scheduler for whichever of those comes
// first, so nothing busy-waits. run_async.cpp runs one or more shards side by side.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/completion_relay.hpp"
#include "engine/plan.hpp"
#include "engine/throttle_breaker.hpp"
#include "itunes/aggregator.hpp"

namespace engine {

// What the shards of one run share. An artist, once taken, belongs to one shard, so `attempts` needs no lock;
// the report and the hooks are reached through the relay, which locks.
struct run_shared {
  run_shared(const run_plan &run, const run_hooks &hooks)
      : plan(run),
        report(run.artists, run.match, static_cast<std::size_t>(run.query.limit)),
        relay(report, hooks),
        attempts(run.artists.size(), 0),
        resends(run.artists.size(), 0),
        breaker(run.retry.max_throttled_s) {}

  // The next artist no shard has taken, if any. Once taken, an artist and its retries stay with that shard.
  std::optional<std::size_t> take_next() {
    if (!has_next()) return std::nullopt;  // no increment once the cursor has run out
    const std::size_t at = next_to_fetch.fetch_add(1, std::memory_order_relaxed);
    if (at >= to_fetch.size()) return std::nullopt;  // another shard took the last one meanwhile
    return to_fetch[at];
  }
  bool has_next() const { return next_to_fetch.load(std::memory_order_relaxed) < to_fetch.size(); }

  const run_plan &plan;
  itunes::aggregator report;
  completion_relay relay;
  std::vector<int> attempts;
  std::vector<unsigned char> resends;  // requests sent again because the server never processed them
  std::vector<std::size_t> to_fetch;  // the artists the store did not answer, in input order
  std::atomic<std::size_t> next_to_fetch{0};
  std::atomic<double> paused_until_s{0};  // a throttling answer holds back every shard (uv_now() seconds)
  std::atomic<int> signal{0};             // SIGINT or SIGTERM, as soon as any shard saw it
  throttle_breaker breaker;  // once tripped, every shard ends its artists with its error
};

// How one shard runs: its share of --concurrency, and where it parses.
struct shard_settings {
  int concurrency = 1;
  bool parse_worker = false;  // parse on a worker thread instead of the loop thread
};

// What one shard did.
struct shard_outcome {
  std::size_t requests = 0;
  bool loop_closed = true;
  std::string failure;  // why the shard could not start; it took no artist
};

// Runs one shard until it has no artist left to take, or a signal stops it. Never throws for a loop that
// cannot start: the outcome says why.
shard_outcome run_shard(run_shared &shared, const shard_settings &settings);

}  // namespace engine

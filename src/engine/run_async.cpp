// The async runner: one or more shards (async_shard.hpp), each a scheduler with a loop, a uvcurl handle and
// connections of its own, on a thread of its own. One loop keeps one core busy with libcurl's and the
// kernel's work per request; side by side they use the others. They take artists from one shared cursor, in
// input order, so a shard whose answers come sooner takes more, and all of them finish together. A lone
// shard hands parsing to a worker thread.
#include <algorithm>
#include <chrono>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/async_shard.hpp"
#include "engine/runners.hpp"
#include "engine/stop_signals.hpp"

namespace engine {
namespace {

// How many shards to run: --threads, else one per core (at most 4). One loop whenever a rate limit is set
// (one token bucket paces every request) and, by default, over https (HTTP/2 carries every request on one
// connection, which only one loop can drive). Each shard should get enough artists to be worth its thread
// and its connections.
std::size_t shard_count(const run_plan &plan, std::size_t to_fetch) {
  if (plan.rate_per_min > 0) return 1;
  std::size_t wanted = static_cast<std::size_t>(plan.threads);
  if (wanted == 0) {
    if (plan.https) return 1;
    wanted = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), 4);
  }
  constexpr std::size_t min_artists_per_shard = 16;
  const std::size_t worth = std::max<std::size_t>(1, to_fetch / min_artists_per_shard);
  return std::max<std::size_t>(1, std::min({wanted, worth, static_cast<std::size_t>(plan.concurrency)}));
}

}  // namespace

run_report run_async(const run_plan &plan, const run_hooks &hooks) {
  const auto started = std::chrono::steady_clock::now();
  run_shared shared(plan, hooks);
  shared.to_fetch.reserve(plan.artists.size());
  // Once memory has run out, the store is not asked again: the shards end the rest as out of memory.
  for (std::size_t index = 0; index < plan.artists.size(); ++index)
    if (out_of_memory_stops_runs() || !shared.relay.answer_from_store(index))
      shared.to_fetch.push_back(index);

  const std::size_t shards = shard_count(plan, shared.to_fetch.size());
  std::vector<shard_settings> settings(shards);
  for (std::size_t k = 0; k < shards; ++k) {
    settings[k].concurrency =
        plan.concurrency / static_cast<int>(shards) + (k < plan.concurrency % shards ? 1 : 0);
    settings[k].parse_worker = shards == 1;  // side by side, the loops already keep every core busy
  }
  std::vector<shard_outcome> outcomes(shards);
  const auto run_one = [&shared, &settings, &outcomes](std::size_t k) {
    if (out_of_memory_stops_runs()) return;  // a new loop would only need memory to stop at once
    try {
      outcomes[k] = run_shard(shared, settings[k]);
    } catch (const std::bad_alloc &) {  // the shard could not start: the others stop too
      note_out_of_memory(true);
      outcomes[k].loop_closed = false;
    } catch (const std::exception &) {  // what this shard did not finish is "not fetched"
      outcomes[k].loop_closed = false;
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(shards);  // may throw, before any thread: a vector of running threads must never unwind
  for (std::size_t k = 1; k < shards; ++k) {
    try {
      threads.emplace_back(run_one, k);
    } catch (const std::exception &) {  // no thread, or no memory for one: the other shards take its artists
    }
  }
  run_one(0);
  for (std::thread &each : threads) each.join();

  run_report result;
  std::string failure;
  for (const shard_outcome &each : outcomes) {
    result.requests += each.requests;
    result.loop_closed = result.loop_closed && each.loop_closed;
    if (failure.empty()) failure = each.failure;
  }
  // Artists are left untaken only when no shard could run: if one could not start, they get its reason (the
  // report calls the others "not fetched").
  if (failure.empty() && out_of_memory_stops_runs()) failure = out_of_memory_error;
  if (!failure.empty()) {
    while (const std::optional<std::size_t> index = shared.take_next())
      shared.relay.record_error(*index, failure, 0, 0);
  }
  result.signal = shared.signal.load();
  result.records = shared.report.take_report();
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace engine

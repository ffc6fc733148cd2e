// The two ways of running a lookup: many requests at once on libuv loops (uvcurl), or one after another
// with curl_easy_perform. Both produce the same records for the same answers.
#pragma once

#include "engine/observer.hpp"
#include "engine/plan.hpp"

namespace engine {

// Runs every artist's request on libuv loops, at most plan.concurrency at once.
run_report run_async(const run_plan &plan, const run_hooks &hooks = {});

// Runs the requests one after another on one reused easy handle.
run_report run_sync(const run_plan &plan, const run_hooks &hooks = {});

}  // namespace engine

// From the parsed options to what the engine runs: every default that depends on the endpoint resolved here.
#pragma once

#include <memory>
#include <string>

#include "cache/response_cache.hpp"
#include "cli/options.hpp"
#include "engine/plan.hpp"

namespace cli {

// The real API (itunes.apple.com) gets its documented limits unless the options say otherwise: 403 retried
// and about 20 calls a minute.
engine::run_plan make_run_plan(const options &opts);

// The same, moving the names out of `opts` instead of copying them: a long list is then held once.
engine::run_plan take_run_plan(options &opts);

// The response cache of an async run as the options ask: the directory is opts.cache_dir, else
// `environment_dir` ($ARTISTFETCH_CACHE_DIR, may be null); neither set means no cache (null). Prepares the
// directory; when it cannot be used, `problem` says why (for an exit with status 2) and the result is null.
// The answers read artist URLs from `plan`, which must outlive them.
std::unique_ptr<cache::cached_answers> open_configured_cache(const options &opts,
                                                             const engine::run_plan &plan,
                                                             const char *environment_dir,
                                                             std::string &problem);

}  // namespace cli

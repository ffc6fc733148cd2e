#include "cli/run_plan.hpp"

#include <utility>

#include "engine/retry_policy.hpp"
#include "engine/url.hpp"

namespace cli {

engine::run_plan make_run_plan(const options &opts) {
  engine::run_plan plan;
  plan.artists = opts.artists;
  plan.base_url = opts.base_url;
  plan.https = engine::is_https_url(opts.base_url);
  plan.query = opts.query;
  plan.match = opts.match;
  plan.concurrency = opts.concurrency;
  plan.threads = opts.threads;

  plan.request.timeout_s = opts.timeout_s;
  plan.request.connect_timeout_s = opts.connect_timeout_s;
  plan.request.stall_timeout_s = opts.stall_timeout_s;
  plan.request.max_body = opts.max_body;
  plan.request.cacert = opts.cacert;

  const bool itunes = engine::is_itunes_host(opts.base_url);
  plan.retry.retries = opts.retries;
  plan.retry.statuses = opts.retry_on_given ? opts.retry_on : engine::default_retry_statuses();
  if (!opts.retry_on_given && itunes) plan.retry.statuses.push_back(403);
  plan.retry.backoff_base_s = opts.backoff_base_s;
  plan.retry.backoff_cap_s = opts.backoff_cap_s;
  plan.retry.max_retry_after_s = opts.max_retry_after_s;
  plan.retry.max_throttled_s = opts.max_throttled_s;
  // The real API documents about 20 calls a minute per client; elsewhere only --rate limits.
  plan.rate_per_min = opts.rate_given ? opts.rate_per_min : (itunes ? 20 : 0);
  return plan;
}

engine::run_plan take_run_plan(options &opts) {
  text::name_list artists = std::move(opts.artists);
  opts.artists.clear();
  engine::run_plan plan = make_run_plan(opts);
  plan.artists = std::move(artists);
  return plan;
}

std::unique_ptr<cache::cached_answers> open_configured_cache(const options &opts,
                                                             const engine::run_plan &plan,
                                                             const char *environment_dir,
                                                             std::string &problem) {
  problem.clear();
  if (opts.no_cache) return nullptr;
  std::string directory = opts.cache_dir;
  if (directory.empty() && environment_dir != nullptr) directory = environment_dir;
  if (directory.empty()) return nullptr;
  cache::response_cache store(std::move(directory), opts.cache_ttl_s, opts.max_body);
  problem = store.prepare();
  if (!problem.empty()) return nullptr;
  // The entries hold their URL: a password in --base-url must not land on disk.
  const bool credentials = engine::without_credentials(plan.base_url) != plan.base_url;
  auto url_of = [&plan, credentials](std::size_t artist) {
    std::string url = engine::query_url(plan, artist);
    return credentials ? engine::without_credentials(url) : url;
  };
  return std::make_unique<cache::cached_answers>(std::move(store), url_of, plan.artists.size());
}

}  // namespace cli

#include "cli/runners.hpp"

#include "itunes/query.hpp"

namespace cli {

run_plan make_run_plan(const options &opts) {
  run_plan plan;
  plan.urls.reserve(opts.artists.size());
  for (const std::string &artist : opts.artists)
    plan.urls.push_back(itunes::build_query_url(opts.base_url, artist, opts.query));
  plan.request = make_request_settings(opts);
  plan.retry = make_retry_settings(opts);
  // The real API documents about 20 calls a minute per client; elsewhere only --rate limits.
  plan.rate_per_min = opts.rate_given ? opts.rate_per_min : (is_itunes_host(opts.base_url) ? 20 : 0);
  return plan;
}

}  // namespace cli

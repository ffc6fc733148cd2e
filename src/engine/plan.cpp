#include "engine/plan.hpp"

namespace engine {

std::string query_url(const run_plan &plan, std::size_t index) {
  return itunes::build_query_url(plan.base_url, plan.artists[index], plan.query);
}

std::vector<std::string> query_urls(const run_plan &plan) {
  std::vector<std::string> urls;
  urls.reserve(plan.artists.size());
  for (std::size_t index = 0; index < plan.artists.size(); ++index) urls.push_back(query_url(plan, index));
  return urls;
}

}  // namespace engine

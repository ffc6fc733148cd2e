#include "engine/plan.hpp"

namespace engine {

std::string query_url(const run_plan &plan, std::size_t index) {
  return itunes::build_query_url(plan.base_url, plan.artists[index], plan.query);
}

}  // namespace engine

#include "engine/token_bucket.hpp"

#include <algorithm>

namespace engine {
namespace {

// Refills are computed in floating point: a token that is due must not come out as 0.9999999 of one.
constexpr double whole_token = 1 - 1e-9;

}  // namespace

token_bucket::token_bucket(double per_minute, double burst)
    : rate_per_s_(per_minute > 0 ? per_minute / 60.0 : 0),
      capacity_(std::max(1.0, burst)),
      tokens_(capacity_) {}

void token_bucket::refill(double now_s) {
  if (last_s_ >= 0 && now_s > last_s_)
    tokens_ = std::min(capacity_, tokens_ + (now_s - last_s_) * rate_per_s_);
  if (now_s > last_s_) last_s_ = now_s;
}

bool token_bucket::try_take(double now_s) {
  if (unlimited()) return true;
  refill(now_s);
  if (tokens_ < whole_token) return false;
  tokens_ = std::max(0.0, tokens_ - 1);
  return true;
}

double token_bucket::wait_s(double now_s) {
  if (unlimited()) return 0;
  refill(now_s);
  return tokens_ >= whole_token ? 0 : (1 - tokens_) / rate_per_s_;
}

double default_burst(double per_minute) {
  return std::clamp(per_minute / 4, 1.0, 5.0);
}

}  // namespace engine

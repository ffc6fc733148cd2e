// Request pacing: one token bucket over every request of a run. Time is passed in, so it is testable.
#pragma once

namespace engine {

class token_bucket {
 public:
  // `per_minute` <= 0 means unlimited. The bucket starts full with `burst` tokens (at least 1).
  token_bucket(double per_minute, double burst);

  bool unlimited() const { return rate_per_s_ <= 0; }

  // Takes a token at `now_s` if one is there.
  bool try_take(double now_s);

  // Seconds from `now_s` until a token will be there (0 when one is there now).
  double wait_s(double now_s);

 private:
  void refill(double now_s);

  double rate_per_s_;
  double capacity_;
  double tokens_;
  double last_s_ = -1;
};

// The default burst for a rate: a quarter of a minute's worth, 1 to 5 tokens, so a handful of names go at
// once and a long list settles to the rate (20/min gives 5 at once, then one every 3 s).
double default_burst(double per_minute);

}  // namespace engine

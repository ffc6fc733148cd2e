// libFuzzer target: the retry arithmetic on arbitrary inputs. Retry-After values come from untrusted headers
// (libcurl turns an HTTP-date into a possibly negative or huge number of seconds); the delay must always be
// finite, never negative, and never beyond its cap.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "engine/retry_policy.hpp"
#include "engine/token_bucket.hpp"

namespace {

template <typename T>
T take(const uint8_t *&data, size_t &size) {
  T value{};
  size_t n = size < sizeof value ? size : sizeof value;
  std::memcpy(&value, data, n);
  data += n;
  size -= n;
  return value;
}

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto retry_after = take<int64_t>(data, size);
  const double max_s = std::fabs(take<double>(data, size));
  const int attempt = take<int32_t>(data, size);
  const double base = std::fabs(take<double>(data, size));
  const double cap = std::fabs(take<double>(data, size));
  const double unit = take<uint32_t>(data, size) / 4294967296.0;
  if (!std::isfinite(max_s) || !std::isfinite(base) || !std::isfinite(cap)) return 0;

  const double wait = engine::clamp_retry_after(static_cast<curl_off_t>(retry_after), max_s);
  require(retry_after == 0 ? wait == -1 : (wait >= 0 && wait <= max_s));

  const double delay = engine::backoff_delay(attempt, base, cap, unit);
  require(std::isfinite(delay) && delay >= 0 && delay <= cap && delay <= base * std::ldexp(1.0, 1000));

  engine::token_bucket bucket(static_cast<double>(attempt), base);
  const double now = unit * 1e6;
  const double until = bucket.wait_s(now);
  require(std::isfinite(until) && until >= 0);
  if (until == 0) require(bucket.try_take(now));
  return 0;
}

// The throttle breaker: when a run gives up on a server that throttles everything.
#include "engine/throttle_breaker.hpp"

#include <doctest/doctest.h>

namespace {

engine::attempt_result answer(long status, double retry_after_s = -1) {
  engine::attempt_result attempt;
  attempt.http_status = status;
  attempt.retry_after_s = retry_after_s;
  return attempt;
}

}  // namespace

TEST_SUITE("throttle breaker") {
  TEST_CASE("it trips once every answer for the limit has been a throttling one") {
    engine::throttle_breaker breaker(2);
    CHECK_FALSE(breaker.note(answer(503, 1), 10));
    CHECK_FALSE(breaker.note(answer(429), 11));
    CHECK_FALSE(breaker.note(answer(403), 11.9));
    CHECK(breaker.note(answer(503, 1), 12));
    CHECK(breaker.tripped());
    CHECK(breaker.note(answer(200), 13));  // it stays tripped
    CHECK(breaker.error().find("the server kept throttling") == 0);
    CHECK(breaker.error().find("for 2 s") != std::string::npos);
  }

  TEST_CASE("any other answer starts the count again") {
    engine::throttle_breaker breaker(2);
    CHECK_FALSE(breaker.note(answer(503, 1), 0));
    CHECK_FALSE(breaker.note(answer(404), 1.5));
    CHECK_FALSE(breaker.note(answer(503, 1), 1.6));
    CHECK_FALSE(breaker.note(answer(503, 1), 3.5));
    CHECK(breaker.note(answer(503, 1), 3.6));
  }

  TEST_CASE("a 503 without Retry-After is a server error, not throttling; a re-send counts for nothing") {
    engine::throttle_breaker breaker(1);
    CHECK_FALSE(breaker.note(answer(503, 1), 0));
    CHECK_FALSE(breaker.note(answer(503), 5));  // resets
    CHECK_FALSE(breaker.note(answer(429), 6));
    engine::attempt_result resend;
    resend.code = CURLE_RECV_ERROR;
    resend.never_processed = true;
    CHECK_FALSE(breaker.note(resend, 6.5));  // does not reset
    CHECK(breaker.note(answer(429), 7));
  }

  TEST_CASE("a limit of 0 never trips") {
    engine::throttle_breaker breaker(0);
    for (int second = 0; second < 1000; ++second) CHECK_FALSE(breaker.note(answer(429), second));
  }
}

// The decisions the engine makes, without a network: retries, delays, pacing (src/engine/retry_policy,
// request, token_bucket, url).
#include <doctest/doctest.h>

#include <algorithm>

#include "cli/options.hpp"
#include "cli/run_plan.hpp"
#include "engine/url.hpp"
#include "engine/request.hpp"
#include "engine/retry_policy.hpp"
#include "engine/token_bucket.hpp"

namespace {

engine::retry_settings settings_for(const std::string &base_url, int retries = 3) {
  cli::options opts;
  opts.base_url = base_url;
  opts.retries = retries;
  return cli::make_run_plan(opts).retry;
}

engine::attempt_result http(long status, double retry_after_s = -1) {
  engine::attempt_result attempt;
  attempt.http_status = status;
  attempt.retry_after_s = retry_after_s;
  return attempt;
}

engine::attempt_result failed(CURLcode code) {
  engine::attempt_result attempt;
  attempt.code = code;
  attempt.error = "boom";
  return attempt;
}

bool contains(const std::vector<long> &statuses, long status) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

}  // namespace

TEST_SUITE("retry policy") {
  TEST_CASE("403 is retried only for the real API's host, where it means throttling") {
    CHECK(contains(settings_for("https://itunes.apple.com/search").statuses, 403));
    CHECK(contains(settings_for("https://ITUNES.apple.com./search?x=1").statuses, 403));
    CHECK_FALSE(contains(settings_for("http://127.0.0.1:8080/search").statuses, 403));
    CHECK_FALSE(contains(settings_for("https://itunes.apple.com.evil.example/search").statuses, 403));
    for (long status : {408, 429, 500, 502, 503, 504}) CHECK(contains(settings_for("http://x/").statuses, status));
  }

  TEST_CASE("--retry-on replaces the default list, 403 included") {
    cli::options opts;
    opts.base_url = "https://itunes.apple.com/search";
    opts.retry_on = {500};
    opts.retry_on_given = true;
    CHECK(cli::make_run_plan(opts).retry.statuses == std::vector<long>{500});
  }

  TEST_CASE("url_host finds the host behind credentials, ports and IPv6 brackets") {
    CHECK(engine::url_host("https://user:pw@Example.COM:8443/x?y") == "example.com");
    CHECK(engine::url_host("http://[::1]:8080/search") == "[::1]");
    CHECK(engine::url_host("no scheme").empty());
  }

  TEST_CASE("transient transport failures are retried, the others are not") {
    for (CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_PARTIAL_FILE, CURLE_RECV_ERROR,
                          CURLE_SEND_ERROR, CURLE_GOT_NOTHING})
      CHECK(engine::is_transient(code));
    for (CURLcode code : {CURLE_COULDNT_RESOLVE_HOST, CURLE_PEER_FAILED_VERIFICATION, CURLE_TOO_MANY_REDIRECTS,
                          CURLE_UNSUPPORTED_PROTOCOL, CURLE_FILESIZE_EXCEEDED, CURLE_WRITE_ERROR})
      CHECK_FALSE(engine::is_transient(code));
  }

  TEST_CASE("backoff grows exponentially under its cap, with full jitter") {
    CHECK(engine::backoff_delay(1, 0.5, 30, 0.999999) == doctest::Approx(0.5).epsilon(0.001));
    CHECK(engine::backoff_delay(3, 0.5, 30, 0.999999) == doctest::Approx(2.0).epsilon(0.001));
    CHECK(engine::backoff_delay(20, 0.5, 30, 0.999999) == doctest::Approx(30).epsilon(0.001));
    CHECK(engine::backoff_delay(1000000, 0.5, 30, 0.5) == doctest::Approx(15));
    CHECK(engine::backoff_delay(3, 0.5, 30, 0.0) == 0);
    CHECK(engine::backoff_delay(-7, 0.5, 30, 1.0) == doctest::Approx(0.5));
  }

  TEST_CASE("Retry-After is clamped to the maximum and never negative") {
    CHECK(engine::clamp_retry_after(0, 60) == -1);  // libcurl's "no header"
    CHECK(engine::clamp_retry_after(5, 60) == 5);
    CHECK(engine::clamp_retry_after(86400 * 365, 60) == 60);
    CHECK(engine::clamp_retry_after(-120, 60) == 0);  // an HTTP-date in the past
  }

  TEST_CASE("an attempt's verdict: retry with which delay, pausing everyone or not") {
    const engine::retry_settings settings = settings_for("https://itunes.apple.com/search", 2);
    engine::verdict ok = engine::judge_attempt(http(200), 1, settings, 0.5);
    CHECK_FALSE(ok.retry);
    engine::verdict not_found = engine::judge_attempt(http(404), 1, settings, 0.5);
    CHECK_FALSE(not_found.retry);

    engine::verdict busy = engine::judge_attempt(http(503, 7), 1, settings, 0.5);
    CHECK(busy.retry);
    CHECK(busy.delay_s == 7);  // Retry-After wins over the backoff
    CHECK(busy.throttled);

    engine::verdict throttled = engine::judge_attempt(http(403), 2, settings, 0.5);
    CHECK(throttled.retry);
    CHECK(throttled.throttled);
    CHECK(throttled.delay_s == doctest::Approx(0.5));  // half of base * 2

    engine::verdict server_error = engine::judge_attempt(http(500), 1, settings, 0.5);
    CHECK(server_error.retry);
    CHECK_FALSE(server_error.throttled);

    engine::verdict reset = engine::judge_attempt(failed(CURLE_RECV_ERROR), 1, settings, 0.5);
    CHECK(reset.retry);
    CHECK_FALSE(reset.throttled);

    engine::verdict exhausted = engine::judge_attempt(http(503), 3, settings, 0.5);
    CHECK_FALSE(exhausted.retry);  // 2 retries after the first attempt: 3 attempts in all
  }
}

TEST_SUITE("token bucket") {
  TEST_CASE("an unlimited bucket never waits") {
    engine::token_bucket bucket(0, 1);
    for (int i = 0; i < 1000; ++i) CHECK(bucket.try_take(0));
    CHECK(bucket.wait_s(0) == 0);
  }

  TEST_CASE("a burst goes at once, then tokens come at the rate") {
    engine::token_bucket bucket(60, 3);  // one a second, three at once
    for (int i = 0; i < 3; ++i) CHECK(bucket.try_take(10.0));
    CHECK_FALSE(bucket.try_take(10.0));
    CHECK(bucket.wait_s(10.0) == doctest::Approx(1.0));
    CHECK(bucket.wait_s(10.5) == doctest::Approx(0.5));
    CHECK(bucket.try_take(11.0));  // exactly due: floating point must not make it 0.9999 of a token
    CHECK_FALSE(bucket.try_take(11.0));
    CHECK(bucket.try_take(100.0));  // refilled, but never beyond the burst
    CHECK(bucket.try_take(100.0));
    CHECK(bucket.try_take(100.0));
    CHECK_FALSE(bucket.try_take(100.0));
  }

  TEST_CASE("Apple's 20 a minute gives a burst of five, then one every three seconds") {
    CHECK(engine::default_burst(20) == 5);
    CHECK(engine::default_burst(2) == 1);
    CHECK(engine::default_burst(6000) == 5);
    engine::token_bucket bucket(20, engine::default_burst(20));
    for (int i = 0; i < 5; ++i) CHECK(bucket.try_take(0));
    CHECK(bucket.wait_s(0) == doctest::Approx(3.0));
  }
}

TEST_SUITE("requests") {
  TEST_CASE("https is recognised in any case, as --base-url accepts it, and only as the scheme") {
    CHECK(engine::is_https_url("https://itunes.apple.com/search"));
    CHECK(engine::is_https_url("HTTPS://itunes.apple.com/search"));
    CHECK(engine::is_https_url("HttpS://127.0.0.1:8443/"));
    CHECK_FALSE(engine::is_https_url("http://itunes.apple.com/search"));
    CHECK(engine::is_https_url("https:/x"));  // libcurl reads it as https://x, and the transfer would too
    CHECK_FALSE(engine::is_https_url("http://host/https://"));
  }

  TEST_CASE("only a 200 answer is one whose body makes the record") {
    CHECK(engine::is_results_answer(http(200)));
    CHECK_FALSE(engine::is_results_answer(http(404)));
    CHECK_FALSE(engine::is_results_answer(http(503, 1)));
    engine::attempt_result cut = http(200);
    cut.code = CURLE_PARTIAL_FILE;
    CHECK_FALSE(engine::is_results_answer(cut));
  }
}

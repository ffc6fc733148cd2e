// Connection reuse against a real server: Debian's nginx, started by scripts/nginx-fixture in a temporary
// directory of our own. 1,000 lookups to one host must open no more connections than --concurrency over
// HTTP/1.1 keep-alive, and exactly one over TLS with HTTP/2; connections that nginx ends (keepalive_requests,
// an HTTP/2 GOAWAY) fail no lookup; an https lookup is never redirected to plain http. Nothing here is timed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/fixture_server.hpp"
#include "support/nginx_fixture.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

using test_support::command_result;
using test_support::nginx_fixture;
using test_support::run_command;

namespace {

constexpr int request_count = 1000;
constexpr int concurrency = 50;

// "Reuse 0001\n" ... : distinct names, since artistfetch looks a repeated name up only once.
std::string distinct_names(int count) {
  std::string names;
  for (int i = 1; i <= count; ++i) {
    std::string number = std::to_string(i);
    names += "Reuse " + std::string(4 - std::min<std::size_t>(4, number.size()), '0') + number + "\n";
  }
  return names;
}

// Runs artistfetch on `count` names read from stdin and checks that every one was looked up at the first
// attempt.
void look_up_all(const std::vector<std::string> &extra_arguments, int count, int in_flight = concurrency) {
  std::vector<std::string> argv{"--concurrency", std::to_string(in_flight), "--retries", "0", "--format",
                                "ndjson", "--input", "-"};
  argv.insert(argv.end(), extra_arguments.begin(), extra_arguments.end());
  test_support::artistfetch_run settings;
  settings.stdin_data = distinct_names(count);
  settings.timeout_s = 50;
  command_result result = test_support::run_artistfetch(argv, settings);
  INFO("stderr: " << result.err.substr(0, 2000));
  REQUIRE_FALSE(result.timed_out);
  REQUIRE(result.exit_code == 0);
  long records = 0, ok = 0;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    ++records;
    const bool fine = line.find("\"status\":\"ok\"") != std::string::npos &&
                      line.find("\"attempts\":1,") != std::string::npos;
    if (!fine && records - ok <= 3) CHECK_MESSAGE(false, line);
    ok += fine;
  }
  CHECK(records == count);
  CHECK(ok == count);
}

}  // namespace

TEST_SUITE("reuse") {
  TEST_CASE("1,000 lookups over HTTP/1.1 open no more connections than the concurrency limit") {
    nginx_fixture nginx;
    const long accepted_before = nginx.accepted();
    look_up_all({"--base-url", nginx.http_base()}, request_count);
    // The second stats query opens one connection of its own.
    const long opened = nginx.accepted() - accepted_before - 1;
    const long logged = nginx.logged_connections(request_count);
    INFO("connections accepted: " << opened << ", in the access log: " << logged);
    CHECK(opened >= 1);
    CHECK(opened <= concurrency);
    CHECK(logged == opened);
    CHECK(nginx.logged_connections(request_count, "HTTP/1.1") == logged);
  }

  TEST_CASE("1,000 lookups over TLS use one HTTP/2 connection") {
    nginx_fixture nginx;
    const long accepted_before = nginx.accepted();
    look_up_all({"--base-url", nginx.https_base(), "--cacert", nginx.cert()}, request_count);
    const long opened = nginx.accepted() - accepted_before - 1;
    INFO("connections accepted: " << opened);
    CHECK(opened == 1);
    CHECK(nginx.logged_connections(request_count) == 1);
    CHECK(nginx.logged_connections(request_count, "HTTP/2.0") == 1);
  }
}

TEST_SUITE("goaway") {
  // nginx ends an HTTP/2 connection after keepalive_requests streams with a GOAWAY; the requests sent on it
  // above the last stream id were never processed and must be sent again, whatever --retries says.
  TEST_CASE("a GOAWAY every 7 streams fails no lookup with --retries 0") {
    nginx_fixture nginx({"--keepalive-requests", "7", "--no-access-log"});
    look_up_all({"--base-url", nginx.https_base(), "--cacert", nginx.cert()}, 1000);
  }

  TEST_CASE("a GOAWAY every 1,000 streams fails no lookup with --retries 0") {
    // libcurl gives up on a handle after its fifth such death in a run: it takes thousands of requests.
    nginx_fixture nginx({"--keepalive-requests", "1000", "--no-access-log"});
    look_up_all({"--base-url", nginx.https_base(), "--cacert", nginx.cert()}, 10000);
  }
}

TEST_SUITE("redirects") {
  TEST_CASE("an https lookup never follows a redirect to plain http; an http one still follows it") {
    nginx_fixture nginx({"--no-access-log"});
    command_result refused = test_support::run_artistfetch(
        {"--base-url", nginx.https_base("/downgrade/search"), "--cacert", nginx.cert(), "--retries", "1",
         "--format", "ndjson", "--", "Downgraded"});
    INFO("stdout: " << refused.out << "stderr: " << refused.err);
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.find("\"status\":\"error\"") != std::string::npos);
    CHECK(refused.out.find("redirect from https to http refused") != std::string::npos);
    CHECK(refused.out.find("\"attempts\":1") != std::string::npos);  // not worth a retry

    std::string http_downgrade = nginx.http_base();
    http_downgrade.replace(http_downgrade.rfind("/search"), 7, "/downgrade/search");
    command_result followed = test_support::run_artistfetch(
        {"--base-url", http_downgrade, "--retries", "0", "--format", "ndjson", "--", "Followed"});
    INFO("stdout: " << followed.out << "stderr: " << followed.err);
    CHECK(followed.exit_code == 0);
    CHECK(followed.out.find("\"status\":\"ok\"") != std::string::npos);
  }
}

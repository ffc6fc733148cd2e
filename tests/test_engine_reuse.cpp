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
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

using test_support::command_result;
using test_support::run_command;

namespace {

constexpr int request_count = 1000;
constexpr int concurrency = 50;

std::string fixture_script() { return test_support::project_root() + "/scripts/nginx-fixture"; }

// "k1=v1 k2=v2 ..." as a map; words without '=' are ignored.
std::map<std::string, std::string> key_values(const std::string &text) {
  std::map<std::string, std::string> fields;
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    const std::size_t equals = word.find('=');
    if (equals != std::string::npos) fields[word.substr(0, equals)] = word.substr(equals + 1);
  }
  return fields;
}

long to_long(const std::string &text, const std::string &what) {
  try {
    std::size_t used = 0;
    const long value = std::stol(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception &) {
  }
  throw std::runtime_error("nginx-fixture: cannot read " + what + " from '" + text + "'");
}

// One nginx under a fresh temporary directory, started with `start_options` (e.g. {"--keepalive-requests",
// "7"}). The constructor returns once nginx answers on both ports;
// the destructor stops it and removes the directory. Should the test process die first, the watcher that
// `start --owner` leaves behind stops nginx.
class nginx_fixture {
 public:
  explicit nginx_fixture(const std::vector<std::string> &start_options = {}) {
    std::vector<std::string> argv{fixture_script(), "start", dir_, "--owner", std::to_string(::getpid())};
    argv.insert(argv.end(), start_options.begin(), start_options.end());
    command_result started = run_command(argv, "", 60);
    if (started.exit_code != 0) {
      throw std::runtime_error("scripts/nginx-fixture start failed (exit " + std::to_string(started.exit_code) +
                               "; are nginx-light, libnginx-mod-http-echo and openssl installed?): " + started.err);
    }
    auto fields = key_values(started.out);
    http_port_ = to_long(fields["http"], "the http port");
    https_port_ = to_long(fields["https"], "the https port");
    cert_ = fields["cert"];
  }

  ~nginx_fixture() { run_command({fixture_script(), "stop", dir_}, "", 30); }

  nginx_fixture(const nginx_fixture &) = delete;
  nginx_fixture &operator=(const nginx_fixture &) = delete;

  std::string http_base() const { return "http://127.0.0.1:" + std::to_string(http_port_) + "/search"; }
  std::string https_base(const std::string &path = "/search") const {
    return "https://127.0.0.1:" + std::to_string(https_port_) + path;
  }
  const std::string &cert() const { return cert_; }

  // Connections nginx has accepted since it started (stub_status; the query's own connection included).
  long accepted() const {
    command_result stats = run_command({fixture_script(), "stats", dir_}, "", 30);
    REQUIRE_MESSAGE(stats.exit_code == 0, stats.err);
    return to_long(key_values(stats.out)["accepted"], "accepted");
  }

  // Distinct connections in the access log, only those of `protocol` when it is not empty, once the log
  // holds `expect` request lines (nginx logs a request just after its response leaves).
  long logged_connections(long expect, const std::string &protocol = "") const {
    std::vector<std::string> argv{fixture_script(), "connections", dir_, "--expect", std::to_string(expect)};
    if (!protocol.empty()) argv.insert(argv.end(), {"--protocol", protocol});
    command_result counted = run_command(argv, "", 30);
    REQUIRE_MESSAGE(counted.exit_code == 0, counted.err);
    std::string text = counted.out;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return to_long(text, "a connection count");
  }

 private:
  const test_support::temp_dir root_{"artistfetch-reuse"};  // outlives the stop in the destructor's body
  const std::string dir_ = root_ / "nginx";
  std::string cert_;
  long http_port_ = 0, https_port_ = 0;
};

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

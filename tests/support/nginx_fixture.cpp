#include "nginx_fixture.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <stdexcept>

#include "fixture_server.hpp"

namespace test_support {
namespace {

std::string fixture_script() { return project_root() + "/scripts/nginx-fixture"; }

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

}  // namespace

nginx_fixture::nginx_fixture(const std::vector<std::string> &start_options) {
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

nginx_fixture::~nginx_fixture() { run_command({fixture_script(), "stop", dir_}, "", 30); }

long nginx_fixture::accepted() const {
  command_result stats = run_command({fixture_script(), "stats", dir_}, "", 30);
  REQUIRE_MESSAGE(stats.exit_code == 0, stats.err);
  return to_long(key_values(stats.out)["accepted"], "accepted");
}

long nginx_fixture::logged_connections(long expect, const std::string &protocol) const {
  std::vector<std::string> argv{fixture_script(), "connections", dir_, "--expect", std::to_string(expect)};
  if (!protocol.empty()) argv.insert(argv.end(), {"--protocol", protocol});
  command_result counted = run_command(argv, "", 30);
  REQUIRE_MESSAGE(counted.exit_code == 0, counted.err);
  std::string text = counted.out;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return to_long(text, "a connection count");
}

}  // namespace test_support

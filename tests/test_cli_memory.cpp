// What a long run costs in memory: a name's record, its place in the queues and its share of the lookup must
// stay small beside the name itself (issue: 1,000,000 names once took 380 MB). Measured as peak RSS against a
// real server (nginx), so every layer counts: reading the input, the run, the report. `make bench` prints the
// same figure for 1,000,000 names (MEM).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "support/fixture_server.hpp"
#include "support/nginx_fixture.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

using test_support::command_result;

namespace {

constexpr int name_count = 100000;
constexpr std::size_t name_bytes = 21;  // "Memory Artist 0000001"

std::string numbered_names(int count) {
  std::string names;
  char line[32];
  for (int i = 1; i <= count; ++i) {
    std::snprintf(line, sizeof line, "Memory Artist %07d\n", i);
    names += line;
  }
  return names;
}

// Runs artistfetch on the names in `names_path` (`count` of them) against `base`, checks that every name got
// an ok record, and returns its peak RSS in KiB. The records go to a file and the names come from one: a
// process started by vfork and exec (posix_spawn) inherits its parent's peak RSS as a floor of its own, so
// this test process must stay smaller than the program it measures.
long peak_rss_kib(const test_support::temp_dir &dir, const std::string &base, const std::string &names_path, int count,
                  const std::vector<std::string> &extra) {
  const std::string out_path = dir / "records.ndjson";
  std::vector<std::string> argv{"/bin/sh", "-c", "out=$1; shift; exec \"$@\" > \"$out\"", "sh", out_path,
                                test_support::program_path(), "--base-url", base, "--no-cache", "--retries", "0",
                                "--concurrency", "100", "--format", "ndjson", "--input", names_path};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const command_result result = test_support::run_command(argv, "", 300, {"ARTISTFETCH_CACHE_DIR", "ARTISTFETCH_BASE_URL"});
  INFO("stderr: " << result.err.substr(0, 2000));
  REQUIRE_FALSE(result.timed_out);
  REQUIRE(result.exit_code == 0);
  long ok = 0;
  std::ifstream records(out_path);
  for (std::string line; std::getline(records, line);) ok += line.find("\"status\":\"ok\"") != std::string::npos;
  REQUIRE(ok == count);
  return result.maxrss_kib;
}

// Writes `count` names to a file of `dir` and returns its path.
std::string names_file(const test_support::temp_dir &dir, int count) {
  const std::string path = dir / ("names-" + std::to_string(count));
  std::ofstream out(path);
  out << numbered_names(count);
  REQUIRE(out.good());
  return path;
}

}  // namespace

TEST_SUITE("memory") {
  TEST_CASE("each name costs at most 100 bytes beyond its own text, with and without --stream") {
    if (std::getenv("ARTISTFETCH_SANITIZED") != nullptr) {
      MESSAGE("sanitized build: its allocator's red zones and quarantine are not the program's memory; skipped");
      return;
    }
    test_support::nginx_fixture nginx;
    const test_support::temp_dir dir("artistfetch-memory");
    const std::string one = names_file(dir, 1), many = names_file(dir, name_count);
    for (const std::vector<std::string> &extra : {std::vector<std::string>{}, std::vector<std::string>{"--stream"}}) {
      CAPTURE(extra.size());
      const long alone = peak_rss_kib(dir, nginx.http_base(), one, 1, extra);
      const long all = peak_rss_kib(dir, nginx.http_base(), many, name_count, extra);
      const double per_name = (all - alone) * 1024.0 / name_count - static_cast<double>(name_bytes);
      MESSAGE("peak RSS " << all << " KiB for " << name_count << " names, " << alone << " KiB for one: "
                          << per_name << " bytes per name beyond its text");
      CHECK(per_name <= 100);
    }
  }
}

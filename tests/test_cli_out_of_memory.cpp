// artistfetch out of memory, end to end, under `ulimit -v`: wherever an allocation fails (reading the names,
// inside the loops' callbacks, writing the report), the program is never killed by a signal and never hangs;
// it exits 1 naming the cause, the records it had are printed once each, and the artists it could not finish
// end as errors. The limits come from the binary's own needs, measured here, never from numbers of this
// machine.
//
// AddressSanitizer and ThreadSanitizer reserve terabytes of address space at start-up, so a sanitized binary
// cannot run under `ulimit -v` at all: under `make sanitize` (ARTISTFETCH_SANITIZED) these cases are skipped.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

namespace {

using test_support::command_result;
using test_support::fixture_server;

constexpr unsigned long mib = 1024;  // in KiB, the unit of ulimit -v

bool sanitized() {
  return std::getenv("ARTISTFETCH_SANITIZED") != nullptr;
}

command_result run_limited(unsigned long kib, const std::vector<std::string> &args) {
  test_support::artistfetch_run run;
  run.address_space_kib = kib;
  run.timeout_s = 120;
  return test_support::run_artistfetch(args, run);
}

// The lowest limit (to 1 MiB) at which `succeeds` holds, above `low` (where it fails): doubled until it
// holds, then halved back.
unsigned long lowest_limit(unsigned long low, const std::function<bool(unsigned long)> &succeeds) {
  constexpr unsigned long most = 8192 * mib;
  unsigned long high = 2 * low;
  while (!succeeds(high)) {
    REQUIRE_MESSAGE(high < most, "no run succeeds even with " << high / mib << " MiB of address space");
    low = high;
    high *= 2;
  }
  while (high - low > mib) {
    const unsigned long middle = low + (high - low) / 2;
    (succeeds(middle) ? high : low) = middle;
  }
  return high;
}

// Where the program can start at all: below, the dynamic loader itself fails (exit 127), which is not ours.
unsigned long startup_limit() {
  static const unsigned long limit =
      lowest_limit(1 * mib, [](unsigned long kib) { return run_limited(kib, {"--version"}).exit_code == 0; });
  return limit;
}

std::vector<std::string> numbered_names(const std::string &prefix, int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back(prefix + " " + std::to_string(i));
  return names;
}

void write_names(const std::string &path, const std::vector<std::string> &names) {
  std::ofstream out(path);
  for (const std::string &name : names) out << name << '\n';
  REQUIRE(out.good());
}

// The artist of every stdout line, each line a JSON record; fails the test case on a line that is not one, or
// on an artist seen twice.
std::vector<std::string> record_artists(const command_result &result) {
  std::vector<std::string> artists;
  std::set<std::string> seen;
  for (const std::string &line : test_support::lines_of(result.out)) {
    const rapidjson::Document record = test_support::parse_line(line);
    REQUIRE(record.HasMember("artist"));
    const std::string artist = record["artist"].GetString();
    CHECK_MESSAGE(seen.insert(artist).second, "printed twice: " << artist);
    artists.push_back(artist);
  }
  return artists;
}

// What every run must give, whatever the limit: no signal, no hang; 0, 1 with "out of memory" said on stderr,
// or 2; valid records, none twice, none of an artist not asked for; with 0, one for every name. With
// `all_once_run`, also with 1 once the run has begun (the records are written from a small buffer, which
// gives its memory back and goes on record by record): only a failure before the run (reading the names,
// setting it up) or one even then may leave names without a record. --stream prints as it goes, and may
// lose the one record it had no memory to format.
void check_outcome(const command_result &result, const std::vector<std::string> &names, bool all_once_run) {
  INFO("exit status " << result.exit_code << ", stderr: " << result.err.substr(0, 2000));
  CHECK_FALSE(result.timed_out);
  CHECK(result.exit_code < 128);  // 128 + N: killed by signal N (SIGABRT, SIGSEGV, SIGFPE...)
  CHECK((result.exit_code == 0 || result.exit_code == 1 || result.exit_code == 2));
  if (result.exit_code == 1) CHECK(result.err.find("out of memory") != std::string::npos);
  const std::vector<std::string> artists = record_artists(result);
  const std::set<std::string> asked(names.begin(), names.end());
  for (const std::string &artist : artists) CHECK_MESSAGE(asked.count(artist) == 1, artist);
  if (result.exit_code == 0) CHECK(artists.size() == names.size());
  const bool before_the_run = result.err.find("while reading the names") != std::string::npos ||
                              result.err.find("artistfetch stopped") != std::string::npos ||
                              result.err.find("libcurl could not be initialised") != std::string::npos ||
                              result.err.find("even as ndjson") != std::string::npos;
  if (all_once_run && result.exit_code == 1 && !before_the_run) CHECK(artists.size() == names.size());
}

constexpr int sweep_names = 500;

struct sweep_limits {
  unsigned long floor = 0;  // where the program starts
  unsigned long need = 0;   // where it looks up sweep_names names with every record ok
};

// Measured once for every mode of the sweep.
const sweep_limits &measured_sweep_limits() {
  static const sweep_limits limits = [] {
    fixture_server server;
    test_support::temp_dir dir;
    const std::vector<std::string> names = numbered_names("Artist", sweep_names);
    write_names(dir / "names", names);
    const std::vector<std::string> args{"--base-url", server.base_url(), "--no-progress", "--input",
                                        dir / "names"};
    sweep_limits measured;
    measured.floor = startup_limit();
    measured.need = lowest_limit(measured.floor, [&args, &names](unsigned long kib) {
      const command_result result = run_limited(kib, args);
      return result.exit_code == 0 && test_support::lines_of(result.out).size() == names.size();
    });
    MESSAGE("starts with " << measured.floor / mib << " MiB, looks up " << sweep_names << " names with "
                           << measured.need / mib << " MiB");
    return measured;
  }();
  return limits;
}

constexpr const char *cache_placeholder = "CACHE";  // replaced by a fresh directory

// Runs the program with `mode` on sweep_names names at limits from where it starts to above what it needs;
// every outcome must pass check_outcome().
void sweep(std::vector<std::string> mode) {
  if (sanitized()) return;  // see the top of this file
  const sweep_limits &limits = measured_sweep_limits();
  fixture_server server;
  test_support::temp_dir dir;
  for (std::string &arg : mode)
    if (arg == cache_placeholder) arg = dir / "cache";
  const std::vector<std::string> names = numbered_names("Artist", sweep_names);
  write_names(dir / "names", names);
  std::vector<std::string> args{"--base-url", server.base_url(), "--no-progress", "--input", dir / "names"};
  args.insert(args.end(), mode.begin(), mode.end());
  constexpr int steps = 8;
  for (int step = 0; step <= steps; ++step) {
    const unsigned long limit = limits.floor + (limits.need + 8 * mib - limits.floor) * step / steps;
    CAPTURE(limit);
    check_outcome(run_limited(limit, args), names, true);
  }
}

}  // namespace

TEST_SUITE("out of memory") {
  // Each mode is a test case of its own, so that each stays within the watchdog's bound.
  TEST_CASE("a sweep of limits, async with the report at the end") {
    sweep({});
  }
  TEST_CASE("a sweep of limits, --stream") {
    sweep({"--stream"});
  }
  TEST_CASE("a sweep of limits, --sync") {
    sweep({"--sync"});
  }
  TEST_CASE("a sweep of limits, one loop parsing on a worker thread") {
    sweep({"--threads", "1"});
  }
  TEST_CASE("a sweep of limits, four loops with --stats and the timelines") {
    sweep({"--threads", "4", "--stats", "--timeline", "--timeline-svg", "/dev/null"});
  }
  TEST_CASE("a sweep of limits, a cache directory") {
    sweep({"--cache-dir", cache_placeholder});
  }
  TEST_CASE("a sweep of limits, --stream with four loops and 64 requests at once") {
    sweep({"--stream", "--threads", "4", "--concurrency", "64"});
  }

  TEST_CASE("out of memory while reading a big --input: exit 1 and a message, before any request") {
    if (sanitized()) return;
    fixture_server server;
    test_support::temp_dir dir;
    {
      // 1,000,000 names of 30 bytes: far more than the 16 MiB given beyond what the program needs to start.
      std::FILE *out = std::fopen((dir / "names").c_str(), "w");
      REQUIRE(out != nullptr);
      for (int i = 0; i < 1000000; ++i) std::fprintf(out, "an artist whose number is %07d\n", i);
      REQUIRE(std::fclose(out) == 0);
    }
    const command_result result =
        run_limited(startup_limit() + 16 * mib,
                    {"--base-url", server.base_url(), "--no-progress", "--input", dir / "names"});
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("out of memory while reading the names") != std::string::npos);
    CHECK(result.out.empty());
    CHECK(server.total_requests() == 0);
  }

  TEST_CASE(
      "bodies too large for memory: those artists end as out of memory, the others are ok, all printed") {
    if (sanitized()) return;
    fixture_server server;
    const std::vector<std::string> small = numbered_names("Artist", 12);
    // One request at a time: a huge body held while other answers are parsed would fail those too.
    std::vector<std::string> base{"--base-url",
                                  server.base_url(),
                                  "--no-progress",
                                  "--max-body",
                                  "100000000",
                                  "--retries",
                                  "0",
                                  "--threads",
                                  "1",
                                  "--concurrency",
                                  "1"};
    base.insert(base.end(), small.begin(), small.end());
    const unsigned long need = lowest_limit(
        startup_limit(), [&base](unsigned long kib) { return run_limited(kib, base).exit_code == 0; });
    // 64 MiB bodies, announced (reserved at once) or chunked (grown until it fails), with 16 MiB to spare.
    const std::vector<std::string> huge{"@huge-cl One", "@huge-chunked Two", "@huge-close Three"};
    std::vector<std::string> args = base;
    args.insert(args.end(), huge.begin(), huge.end());
    const command_result result = run_limited(need + 16 * mib, args);
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("out of memory") != std::string::npos);
    const std::set<std::string> huge_names(huge.begin(), huge.end());
    std::set<std::string> seen;
    for (const std::string &line : test_support::lines_of(result.out)) {
      const rapidjson::Document record = test_support::parse_line(line);
      const std::string artist = record["artist"].GetString();
      CAPTURE(line.substr(0, 300));
      CHECK(seen.insert(artist).second);
      if (huge_names.count(artist) != 0) {
        REQUIRE(record.HasMember("error"));
        CHECK(std::string(record["error"].GetString()).rfind("out of memory", 0) == 0);
      } else {
        CHECK(std::string(record["status"].GetString()) == "ok");
      }
    }
    CHECK(seen.size() == small.size() + huge.size());
  }

  TEST_CASE("a table too large for memory: exit 1 and a message, and the records are printed as ndjson") {
    if (sanitized()) return;
    fixture_server server;
    test_support::temp_dir dir;
    // Long names: the table is rendered whole before it is written, ndjson a record at a time, so between
    // what the run needs with ndjson and what it needs with a table, only the table runs out of memory.
    std::vector<std::string> names;
    for (int i = 0; i < 1500; ++i)
      names.push_back("Artist " + std::to_string(i) + " " + std::string(980, 'x'));
    write_names(dir / "names", names);
    const std::vector<std::string> base{
        "--base-url", server.base_url(), "--no-progress", "--input", dir / "names", "--threads", "1"};
    std::vector<std::string> as_ndjson = base, as_table = base;
    as_ndjson.insert(as_ndjson.end(), {"--format", "ndjson"});
    as_table.insert(as_table.end(), {"--format", "table"});
    const unsigned long ndjson_need = lowest_limit(startup_limit(), [&as_ndjson](unsigned long kib) {
      return run_limited(kib, as_ndjson).exit_code == 0;
    });
    int fallbacks = 0;
    constexpr int steps = 10;  // up to 5 MiB above what ndjson needs: where the table is at the edge
    for (int step = 0; step < steps && fallbacks < 2; ++step) {
      const unsigned long limit = ndjson_need + step * mib / 2;
      CAPTURE(limit);
      const command_result result = run_limited(limit, as_table);
      INFO(result.err);
      CHECK(result.exit_code < 128);
      CHECK((result.exit_code == 0 || result.exit_code == 1));
      if (result.exit_code == 0) continue;  // the table fitted
      CHECK(result.err.find("out of memory") != std::string::npos);
      if (result.err.find("out of memory while rendering the table") == std::string::npos) continue;
      ++fallbacks;
      CHECK(record_artists(result).size() == names.size());
    }
    MESSAGE(fallbacks << " of the runs printed ndjson for lack of memory for the table");
    CHECK(fallbacks > 0);
  }
}

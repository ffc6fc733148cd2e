// artistfetch against a server that misbehaves on purpose: every fault mode of the fixture server gives the
// right record, the right number of attempts (counted by the server), and leaves the other artists alone.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <csignal>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"
#include "text/utf8.hpp"

namespace {

using test_support::command_result;
using test_support::fixture_server;

// Fast retries so that the suite stays quick; the defaults are exercised by the unit tests.
const std::vector<std::string> quick_retries = {"--backoff-base", "0.01", "--backoff-cap", "0.05"};

struct record_view {
  std::string artist, status, error, raw;
  long http_status = 0;
  int attempts = 0;
  std::size_t results = 0;
};

std::vector<record_view> records_of(const std::string &ndjson) {
  std::vector<record_view> records;
  std::istringstream stream(ndjson);
  for (std::string line; std::getline(stream, line);) {
    rapidjson::Document document;
    document.Parse(line.c_str(), line.size());
    REQUIRE_MESSAGE(!document.HasParseError(), line);
    record_view record;
    record.raw = line;
    record.artist = document["artist"].GetString();
    record.status = document["status"].GetString();
    record.attempts = document["attempts"].GetInt();
    if (document.HasMember("error")) record.error = document["error"].GetString();
    if (document.HasMember("http_status")) record.http_status = document["http_status"].GetInt64();
    if (document.HasMember("results")) record.results = document["results"].Size();
    records.push_back(record);
  }
  return records;
}

struct timed_run {
  command_result result;
  std::vector<record_view> records;
  double seconds = 0;
};

timed_run run_against(const fixture_server &server, std::vector<std::string> args,
                      const std::vector<std::string> &names) {
  std::vector<std::string> argv{"--base-url", server.base_url(), "--format", "ndjson"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--");
  argv.insert(argv.end(), names.begin(), names.end());
  const auto started = std::chrono::steady_clock::now();
  timed_run run;
  test_support::artistfetch_run settings;
  settings.timeout_s = 120;
  run.result = test_support::run_artistfetch(argv, settings);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  run.records = records_of(run.result.out);
  REQUIRE(run.records.size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(run.records[i].artist == names[i]);
  return run;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string> &more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_SUITE("faults") {
  TEST_CASE("a 503 with Retry-After waits as asked, is retried and succeeds, in both modes") {
    fixture_server server;
    for (const char *mode : {"--concurrency=50", "--sync"}) {
      CAPTURE(mode);
      server.reset();
      timed_run run = run_against(server, {mode}, {"@503once Alice", "Bob"});
      CHECK(run.result.exit_code == 0);
      CHECK(run.records[0].status == "ok");
      CHECK(run.records[0].attempts == 2);
      CHECK(run.records[0].results >= 1);
      CHECK(run.records[1].attempts == 1);
      CHECK(server.requests_for("@503once Alice") == 2);
      CHECK(run.seconds >= 0.9);  // Retry-After: 1 (a lower bound only: slowness cannot fail it)
    }
  }

  TEST_CASE("an HTTP-date Retry-After is honoured too") {
    fixture_server server;
    timed_run run = run_against(server, {}, {"@503date Carol"});
    CHECK(run.result.exit_code == 0);
    CHECK(run.records[0].attempts == 2);
    CHECK(run.seconds >= 0.5);
  }

  TEST_CASE("429 is retried by default, 404 is not") {
    fixture_server server;
    timed_run run = run_against(server, quick_retries, {"@429once Dave", "@404 Eve"});
    CHECK(run.result.exit_code == 1);
    CHECK(run.records[0].status == "ok");
    CHECK(run.records[0].attempts == 2);
    CHECK(run.records[1].status == "error");
    CHECK(run.records[1].http_status == 404);
    CHECK(run.records[1].attempts == 1);
    CHECK(server.requests_for("@404 Eve") == 1);
  }

  TEST_CASE("403 with an empty body is retried when asked and reported as throttling when it never clears") {
    fixture_server server;
    // Elsewhere than itunes.apple.com a 403 is an ordinary error...
    timed_run plain = run_against(server, quick_retries, {"@403x1 Frank"});
    CHECK(plain.records[0].status == "error");
    CHECK(plain.records[0].http_status == 403);
    CHECK(plain.records[0].attempts == 1);
    // ...and with --retry-on 403 it is the API's way of saying "slow down".
    server.reset();
    timed_run retried =
        run_against(server, with(quick_retries, {"--retry-on", "403,429"}), {"@403x2 Grace", "@403x9 Heidi"});
    CHECK(retried.result.exit_code == 1);
    CHECK(retried.records[0].status == "ok");
    CHECK(retried.records[0].attempts == 3);
    CHECK(server.requests_for("@403x2 Grace") == 3);
    CHECK(retried.records[1].status == "error");
    CHECK(retried.records[1].attempts == 4);
    CHECK(retried.records[1].http_status == 403);
    CHECK(retried.records[1].error.find("throttled") != std::string::npos);
    CHECK(server.requests_for("@403x9 Heidi") == 4);
  }

  TEST_CASE("a permanent 500 is tried --retries more times, then reported") {
    fixture_server server;
    timed_run run = run_against(server, with(quick_retries, {"--retries", "2"}), {"@500 Ivan", "Judy"});
    CHECK(run.result.exit_code == 1);
    CHECK(run.records[0].status == "error");
    CHECK(run.records[0].error == "HTTP 500");
    CHECK(run.records[0].http_status == 500);
    CHECK(run.records[0].attempts == 3);
    CHECK(server.requests_for("@500 Ivan") == 3);
    CHECK(run.records[1].status == "ok");
  }

  TEST_CASE("a truncated body, a reset and a silent server are retried, then reported with curl's cause") {
    fixture_server server;
    timed_run run = run_against(server, with(quick_retries, {"--retries", "1", "--timeout", "0.5"}),
                                {"@short Ken", "@reset Leo", "@hang Mia", "Nia"});
    CHECK(run.result.exit_code == 1);
    CHECK(run.records[0].error.find("(curl error 18)") != std::string::npos);
    CHECK(run.records[1].error.find("(curl error 56)") != std::string::npos);
    CHECK(run.records[2].error.find("(curl error 28)") != std::string::npos);
    for (int i = 0; i < 3; ++i) {
      CHECK(run.records[i].status == "error");
      CHECK(run.records[i].attempts == 2);
    }
    CHECK(server.requests_for("@short Ken") == 2);
    CHECK(server.requests_for("@reset Leo") == 2);
    CHECK(server.requests_for("@hang Mia") == 2);
    CHECK(run.records[3].status == "ok");
  }

  TEST_CASE("a trickling server is cut off by the stall timeout") {
    fixture_server server;
    timed_run run = run_against(server, {"--retries", "0", "--stall-timeout", "1"}, {"@trickle Olga", "Pia"});
    CHECK(run.records[0].status == "error");
    CHECK(run.records[0].error.find("too slow") != std::string::npos);
    CHECK(run.records[0].http_status == 200);  // the headers had arrived
    CHECK(run.records[1].status == "ok");
  }

  TEST_CASE("bodies over --max-body are refused whatever their framing, and not retried") {
    fixture_server server;
    timed_run run = run_against(server, {"--max-body", "1M"},
                                {"@huge-cl Quinn", "@huge-chunked Rita", "@huge-close Sam", "Tom"});
    CHECK(run.result.exit_code == 1);
    for (int i = 0; i < 3; ++i) {
      CAPTURE(run.records[i].raw);
      CHECK(run.records[i].status == "error");
      CHECK(run.records[i].error.find("--max-body (1048576 bytes)") != std::string::npos);
      CHECK(run.records[i].attempts == 1);
    }
    CHECK(run.records[3].status == "ok");
  }

  TEST_CASE("malformed bodies are per-artist errors and are not retried") {
    fixture_server server;
    const std::vector<std::string> names = {"@badjson A", "@results-not-array B", "@nul C",
                                            "@badutf8 D", "@html200 F",           "@empty200 G", "Fine"};
    timed_run run = run_against(server, quick_retries, names);
    CHECK(run.result.exit_code == 1);
    for (std::size_t i = 0; i + 1 < names.size(); ++i) {
      CAPTURE(run.records[i].raw);
      CHECK(run.records[i].status == "error");
      CHECK(run.records[i].http_status == 200);
      CHECK(run.records[i].error.find("response") == 0);
      CHECK(run.records[i].attempts == 1);
      CHECK(server.requests_for(names[i]) == 1);
    }
    CHECK(run.records.back().status == "ok");
  }

  TEST_CASE("results of the wrong type are skipped and the valid match is kept") {
    fixture_server server;
    timed_run run = run_against(server, {}, {"@element-not-object Uma", "@artistname-not-string Vic", "@none Wes",
                                             "@deep Xavier"});
    CHECK(run.result.exit_code == 0);
    CHECK(run.records[0].results == 1);
    CHECK(run.records[1].results == 1);
    for (int i = 2; i < 4; ++i) {
      CHECK(run.records[i].status == "ok");
      CHECK(run.records[i].results == 0);  // @deep: 200,000 nested arrays are one element that is no object
    }
  }

  TEST_CASE("lone UTF-16 surrogates decode as U+FFFD: the artist keeps its albums and the report is UTF-8") {
    fixture_server server;
    const std::string fffd = "\xEF\xBF\xBD";
    // The first name's own albums spell its U+FFFD \ud800 in one and \udc00 in the other; every title has
    // both kinds, a high one before another escape and a valid pair (scripts/fixture-server --help).
    const std::vector<std::string> names = {"@lone-surrogates " + fffd + "Ann", "@lone-surrogates Ann"};
    timed_run run = run_against(server, {}, names);
    CHECK(run.result.exit_code == 0);
    CHECK(text::is_valid_utf8(run.result.out));
    CHECK(run.result.out.find("\\ud800") == std::string::npos);
    CHECK(run.result.out.find("\\udc00") == std::string::npos);
    std::istringstream lines(run.result.out);
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::string line;
      REQUIRE(std::getline(lines, line));
      CAPTURE(line);
      CHECK(run.records[i].status == "ok");
      CHECK(run.records[i].results == (i == 0 ? 2 : 3));  // as many as the server has by that artistName
      rapidjson::Document record;
      record.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str(), line.size());
      REQUIRE(!record.HasParseError());
      for (const auto &album : record["results"].GetArray()) {
        CHECK(std::string(album["artistName"].GetString()) == names[i]);
        CHECK(std::string(album["collectionName"].GetString()) ==
              fffd + album["collectionCensoredName"].GetString() + " " + fffd + "\xC3\xA9 \xF0\x9F\x98\x80 " +
                  fffd);
      }
    }
  }

  TEST_CASE("absurd numbers make a per-artist error, not undefined behaviour") {
    // RapidJSON 1.1.0 refuses exponents past double's range even when numbers are kept as text; the
    // underflowing exponent of the same body (CVE-2024-38517's path) is never evaluated.
    fixture_server server;
    timed_run run = run_against(server, {}, {"@hugenumber Xena", "Yves"});
    CHECK(run.result.exit_code == 1);
    CHECK(run.records[0].status == "error");
    CHECK(run.records[0].error.find("Number too big") != std::string::npos);
    CHECK(run.records[0].attempts == 1);
    CHECK(run.records[1].status == "ok");
  }

  TEST_CASE("redirects to ftp and redirect loops are refused") {
    fixture_server server;
    timed_run run = run_against(server, quick_retries, {"@redirect-ftp Yan", "@redirect-loop Zoe"});
    CHECK(run.result.exit_code == 1);
    CHECK(run.records[0].error.find("(curl error 1)") != std::string::npos);
    CHECK(run.records[1].error.find("(curl error 47)") != std::string::npos);
    CHECK(run.records[0].attempts == 1);
    CHECK(run.records[1].attempts == 1);
    CHECK(server.requests_for("@redirect-loop Zoe") == 11);  // the first request and 10 redirects
  }

  TEST_CASE("--rate spaces the requests out") {
    fixture_server server;
    std::vector<std::string> names;
    for (int i = 0; i < 15; ++i) names.push_back("Paced " + std::to_string(i));
    timed_run run = run_against(server, {"--rate", "10/s"}, names);
    CHECK(run.result.exit_code == 0);
    // A burst of 5, then one every 100 ms: the last starts after about a second.
    CHECK(run.seconds >= 0.9);
    CHECK(server.total_requests() == 15);
  }

  TEST_CASE("a mixed run of good and faulty artists prints one correct record per name and exits 1") {
    fixture_server server;
    const std::vector<std::string> names = {
        "Billie Eilish", "@503once M1",    "@403x1 M2",        "@500 M3",    "@short M4",   "Dua Lipa",
        "@hang M5",      "@huge-chunked M6", "@badjson M7",    "@deep M8",   "@none M9",    "Lorde",
        "@redirect-ftp M10", "@element-not-object M11", "坂本龍一"};
    timed_run run = run_against(server, with(quick_retries, {"--retries", "1", "--timeout", "1", "--max-retry-after",
                                                             "0.2"}),
                                names);
    CHECK(run.result.exit_code == 1);
    const std::vector<std::string> expected_status = {"ok",    "ok",    "error", "error", "error",
                                                      "ok",    "error", "error", "error", "ok",
                                                      "ok",    "ok",    "error", "ok",    "ok"};
    for (std::size_t i = 0; i < names.size(); ++i) {
      CAPTURE(run.records[i].raw);
      CHECK(run.records[i].status == expected_status[i]);
    }
    CHECK(run.records[0].results == 3);   // the realistic catalog's three "Billie Eilish" albums
    CHECK(run.records[14].results >= 1);  // 坂本龍一
  }
}

namespace {

// Runs artistfetch on `names` and sends `signum` after `after_s` seconds.
timed_run run_interrupted(const fixture_server &server, std::vector<std::string> args,
                          const std::vector<std::string> &names, int signum, double after_s) {
  std::vector<std::string> argv{"--base-url", server.base_url(), "--format", "ndjson"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--");
  argv.insert(argv.end(), names.begin(), names.end());
  timed_run run;
  test_support::artistfetch_run settings;
  settings.send_signal = signum;
  settings.send_after_s = after_s;
  run.result = test_support::run_artistfetch(argv, settings);
  run.records = records_of(run.result.out);
  REQUIRE(run.records.size() == names.size());  // one record per name: none lost, none printed twice
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(run.records[i].artist == names[i]);
  CHECK(run.result.err.find("did not close cleanly") == std::string::npos);  // uv_loop_close returned 0
  return run;
}

bool is_cancelled(const record_view &record) {
  return record.status == "error" && record.error.find("cancelled") == 0;
}

}  // namespace

TEST_SUITE("interruption") {
  TEST_CASE("SIGINT cancels the transfers in flight, keeps the finished records and exits 130") {
    fixture_server server;
    timed_run run = run_interrupted(server, {}, {"Lorde", "@hang A", "@hang B", "Dua Lipa"}, SIGINT, 1.0);
    CHECK(run.result.exit_code == 130);
    CHECK(run.records[0].status == "ok");
    CHECK(is_cancelled(run.records[1]));
    CHECK(is_cancelled(run.records[2]));
    CHECK(run.records[3].status == "ok");
  }

  TEST_CASE("SIGTERM does the same and exits 143") {
    fixture_server server;
    timed_run run = run_interrupted(server, {}, {"@hang A", "Lorde"}, SIGTERM, 1.0);
    CHECK(run.result.exit_code == 143);
    CHECK(is_cancelled(run.records[0]));
    CHECK(run.records[1].status == "ok");
  }

  TEST_CASE("artists still queued are cancelled without a request") {
    fixture_server server;
    timed_run run = run_interrupted(server, {"--concurrency", "1"}, {"@hang A", "Queued B", "Queued C"}, SIGINT, 1.0);
    CHECK(run.result.exit_code == 130);
    for (const record_view &record : run.records) CHECK(is_cancelled(record));
    CHECK(server.requests_for("Queued B") == 0);
    CHECK(server.requests_for("Queued C") == 0);
  }

  TEST_CASE("the sync mode stops at the artist in flight and starts no other") {
    fixture_server server;
    timed_run run = run_interrupted(server, {"--sync"}, {"Lorde", "@hang A", "Zed"}, SIGINT, 1.0);
    CHECK(run.result.exit_code == 130);
    CHECK(run.records[0].status == "ok");
    CHECK(is_cancelled(run.records[1]));
    CHECK(is_cancelled(run.records[2]));
    CHECK(server.requests_for("Zed") == 0);
  }

  TEST_CASE("with several loops, a throttling answer seen by one pauses the others too") {
    // Two loops of one slot each, one taking "@503once A", the other "@slow300 B". A is answered at once with
    // 503 and Retry-After: 1; B ends 300 ms later, when its loop would start "N2", unless the pause holds
    // every loop back.
    fixture_server server;
    std::vector<std::string> names{"@503once A", "@slow300 B"};
    for (int i = 2; i < 40; ++i) names.push_back("N" + std::to_string(i));
    timed_run run = run_interrupted(server, {"--concurrency", "2", "--threads", "2"}, names, SIGTERM, 0.7);
    CHECK(run.result.exit_code == 143);
    CHECK(server.requests_for("@503once A") == 1);
    CHECK(server.requests_for("@slow300 B") == 1);
    CHECK(server.requests_for("N2") == 0);
    CHECK(server.total_requests() == 2);
    REQUIRE(run.records.size() == names.size());
    CHECK(run.records[1].status == "ok");
    for (std::size_t i = 2; i < names.size(); ++i) CHECK(is_cancelled(run.records[i]));
  }

  TEST_CASE("with several loops, an artist that hangs holds back only its own slot") {
    // Two loops of one slot each. One takes "@hang A" and never gets an answer; the other must take every
    // artist after it, rather than leave half of them waiting behind A in a share of their own.
    fixture_server server;
    std::vector<std::string> names{"@hang A"};
    for (int i = 1; i < 40; ++i) names.push_back("N" + std::to_string(i));  // enough for two loops
    timed_run run = run_interrupted(server, {"--concurrency", "2", "--threads", "2"}, names, SIGTERM, 1.5);
    CHECK(run.result.exit_code == 143);
    CHECK(is_cancelled(run.records[0]));
    for (std::size_t i = 1; i < names.size(); ++i) {
      CAPTURE(names[i]);
      CHECK(run.records[i].status == "ok");
      CHECK(server.requests_for(names[i]) == 1);
    }
  }

  TEST_CASE("a throttling answer pauses the whole queue, not only its own artist") {
    // "@503once A" answers 503 with Retry-After: 1. With one slot, "B" would start at once after it, unless
    // the pause holds it back: stopped half way through the pause, B must not have been asked for.
    fixture_server server;
    timed_run run = run_interrupted(server, {"--concurrency", "1"}, {"@503once A", "B"}, SIGTERM, 0.5);
    CHECK(run.result.exit_code == 143);
    CHECK(server.requests_for("@503once A") == 1);
    CHECK(server.requests_for("B") == 0);
    CHECK(is_cancelled(run.records[1]));
  }
}

namespace {

// "Stale 001" ... : distinct names, each looked up once.
std::vector<std::string> numbered_names(const std::string &prefix, int count) {
  std::vector<std::string> names;
  for (int i = 1; i <= count; ++i) names.push_back(prefix + " " + std::to_string(i));
  return names;
}

// A counter of the server's /stats ("requests", "connections", "dropped").
long stat_of(const fixture_server &server, const char *name) {
  rapidjson::Document stats;
  const std::string text = server.get("/stats");
  stats.Parse(text.c_str(), text.size());
  REQUIRE_MESSAGE((!stats.HasParseError() && stats.HasMember(name)), text);
  return stats[name].GetInt64();
}

// The one run of --stats=json on stderr: {"runs":[{...}]}.
rapidjson::Document stats_of(const command_result &result) {
  const std::size_t at = result.err.find("{\"runs\":");
  REQUIRE_MESSAGE(at != std::string::npos, result.err);
  const std::string line = result.err.substr(at, result.err.find('\n', at) - at);
  rapidjson::Document stats;
  stats.Parse(line.c_str(), line.size());
  REQUIRE_MESSAGE((!stats.HasParseError() && stats["runs"].Size() == 1), line);
  return stats;
}

// Every artist ok at the first counted attempt, though the server dropped requests on reused connections;
// --stats counts those re-sends apart, not as retries.
void check_unprocessed_resent(const std::vector<std::string> &mode) {
  fixture_server server({"--close-on-reuse"});
  const std::vector<std::string> names = numbered_names("Stale", 300);
  timed_run run =
      run_against(server, with({"--retries", "0", "--concurrency", "8", "--stats=json"}, mode), names);
  INFO("stderr: " << run.result.err.substr(0, 1000));
  CHECK(stat_of(server, "dropped") > 0);  // the fault did happen
  CHECK(run.result.exit_code == 0);
  long failed = 0;
  for (const record_view &record : run.records) {
    if (record.status != "ok" || record.attempts != 1) {
      if (failed++ < 3) CHECK_MESSAGE(false, record.raw);
    }
  }
  CHECK(failed == 0);
  CHECK(stat_of(server, "requests") == static_cast<long>(names.size()));  // each answered exactly once
  const rapidjson::Document stats = stats_of(run.result);
  const rapidjson::Value &counts = stats["runs"][0];
  CHECK(counts["retries"].GetInt() == 0);
  REQUIRE(counts.HasMember("resent"));
  CHECK(counts["resent"].GetInt() > 0);
  CHECK(counts["requests"].GetInt() == static_cast<int>(names.size()) + counts["resent"].GetInt());
}

}  // namespace

TEST_SUITE("unprocessed requests") {
  TEST_CASE("a request dropped on a reused connection is sent again without counting, one loop") {
    check_unprocessed_resent({"--threads", "1"});
  }

  TEST_CASE("a request dropped on a reused connection is sent again without counting, four loops") {
    check_unprocessed_resent({"--threads", "4"});
  }

  TEST_CASE("a request dropped on a reused connection is sent again without counting, --sync") {
    check_unprocessed_resent({"--sync"});
  }

  TEST_CASE("--stats still counts real retries among re-sends") {
    fixture_server server({"--close-on-reuse"});
    std::vector<std::string> names = numbered_names("Stale", 100);
    for (int i = 0; i < 3; ++i) names.push_back("@503once Again " + std::to_string(i));
    timed_run run = run_against(server, {"--retries", "1", "--concurrency", "8", "--stats=json"}, names);
    CHECK(run.result.exit_code == 0);
    for (std::size_t i = 0; i < names.size(); ++i) {
      CAPTURE(run.records[i].raw);
      CHECK(run.records[i].status == "ok");
      CHECK(run.records[i].attempts == (i < 100 ? 1 : 2));
    }
    const rapidjson::Document stats = stats_of(run.result);
    const rapidjson::Value &counts = stats["runs"][0];
    CHECK(counts["retries"].GetInt() == 3);  // one for each 503
    REQUIRE(counts.HasMember("resent"));
    CHECK(counts["resent"].GetInt() > 0);
    CHECK(counts["requests"].GetInt() == static_cast<int>(names.size()) + 3 + counts["resent"].GetInt());
  }

  TEST_CASE("a request the server may have processed still follows --retries") {
    // The headers came back before the reset: the server processed it, so it is an attempt like any other.
    fixture_server server;
    timed_run once = run_against(server, {"--retries", "0"}, {"@reset-after-headers Una"});
    CHECK(once.result.exit_code == 1);
    CHECK(once.records[0].status == "error");
    CHECK(once.records[0].attempts == 1);
    server.reset();
    timed_run twice = run_against(server, with(quick_retries, {"--retries", "1"}), {"@reset-after-headers Una"});
    CHECK(twice.records[0].status == "error");
    CHECK(twice.records[0].attempts == 2);
    CHECK(server.requests_for("@reset-after-headers Una") == 2);
  }
}

TEST_SUITE("throttling server") {
  // Every answer is 503 with Retry-After: 1; with --retries 100 only the breaker can end the run early.
  void check_gives_up(const std::vector<std::string> &mode) {
    fixture_server server({"--always-503", "1"});
    const std::vector<std::string> names = numbered_names("Throttled", 40);
    timed_run run = run_against(server, with({"--retries", "100", "--max-throttled", "2"}, mode), names);
    CHECK(run.result.exit_code == 1);
    for (const record_view &record : run.records) {
      CAPTURE(record.raw);
      CHECK(record.status == "error");
      CHECK(record.error.find("the server kept throttling") == 0);
      CHECK(record.error.find("--max-throttled") != std::string::npos);
    }
    CHECK(server.total_requests() > 0);
    CHECK(server.total_requests() < 40 * 10);  // nobody went on asking
  }

  TEST_CASE("once every answer has been throttling for --max-throttled, the run gives up, async") {
    check_gives_up({"--concurrency", "8"});
  }

  TEST_CASE("and so does --sync, without asking for the artists left") {
    check_gives_up({"--sync"});
  }
}

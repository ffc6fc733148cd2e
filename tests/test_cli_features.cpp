// artistfetch end to end against the fixture server: suggestions, --match, --stream and the response cache.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cache/response_cache.hpp"
#include "cli/run_plan.hpp"
#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

namespace {

using test_support::run_artistfetch;

using test_support::temp_dir;
using test_support::lines_of;
using test_support::parse_line;

using test_support::command_result;
using test_support::fixture_server;


std::vector<std::string> artist_names_of(const rapidjson::Value &results) {
  std::vector<std::string> names;
  for (const auto &result : results.GetArray()) names.emplace_back(result["artistName"].GetString());
  return names;
}

std::vector<std::string> strings_of(const rapidjson::Value &array) {
  std::vector<std::string> values;
  for (const auto &value : array.GetArray()) values.emplace_back(value.GetString());
  return values;
}

// Every "attempts":1 of a report replaced by "attempts":0: what the same report looks like from the cache.
std::string as_cached(std::string report) {
  const std::string from = "\"attempts\":1", to = "\"attempts\":0";
  for (std::size_t at = report.find(from); at != std::string::npos; at = report.find(from, at + to.size()))
    report.replace(at, from.size(), to);
  return report;
}

std::vector<std::string> sorted(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}


}  // namespace

TEST_SUITE("features") {
  TEST_CASE(
      "Billy Eilish has no exact match and gets Billie Eilish suggested, in ndjson, json and the table") {
    fixture_server server;
    command_result ndjson =
        run_artistfetch({"--base-url", server.base_url(), "--format", "ndjson", "Billy Eilish", "Lorde"});
    CHECK(ndjson.exit_code == 0);  // no exact match still counts as looked up
    std::vector<std::string> lines = lines_of(ndjson.out);
    REQUIRE(lines.size() == 2);
    CHECK(
        lines[0] ==
        R"({"artist":"Billy Eilish","status":"ok","attempts":1,"result_count":5,"results":[],)"
        R"("suggestions":["Billie Eilish"],"suggestion_notes":["differs in spelling"]})");
    CHECK(lines[1].find("\"suggestions\"") == std::string::npos);
    CHECK(parse_line(lines[1])["results"].Size() > 0);

    command_result json =
        run_artistfetch({"--base-url", server.base_url(), "--format", "json", "Billy Eilish", "Lorde"});
    rapidjson::Document document;
    document.Parse(json.out.c_str(), json.out.size());
    REQUIRE_FALSE(document.HasParseError());
    CHECK(strings_of(document["artists"][0]["suggestions"]) == std::vector<std::string>{"Billie Eilish"});

    command_result table = run_artistfetch(
        {"--base-url", server.base_url(), "--format", "table", "--limit", "50", "Billy Eilish", "Lorde"});
    CHECK(table.exit_code == 0);
    CHECK(table.out.find("Billy Eilish  no exact match; did you mean \"Billie Eilish\"?\n") !=
          std::string::npos);
    CHECK(table.out.find("Melodrama") != std::string::npos);
  }

  TEST_CASE("José typed in NFC finds Apple's NFD José James by default, not under --match bytes") {
    fixture_server server;
    const std::string nfc = "Jos\xc3\xa9 James";
    command_result exact = run_artistfetch({"--base-url", server.base_url(), nfc});
    REQUIRE(exact.exit_code == 0);
    rapidjson::Document record = parse_line(lines_of(exact.out).at(0));
    REQUIRE(record["results"].Size() > 0);
    CHECK(std::string(record["results"][0]["artistName"].GetString()) == "Jose\xcc\x81 James");
    command_result bytes = run_artistfetch({"--base-url", server.base_url(), "--match", "bytes", nfc});
    REQUIRE(bytes.exit_code == 0);
    record = parse_line(lines_of(bytes.out).at(0));
    CHECK(record["results"].Size() == 0);
    REQUIRE(record.HasMember("suggestion_notes"));
    CHECK(strings_of(record["suggestion_notes"]).at(0) == "differs only in Unicode normalization");
  }

  TEST_CASE("a name that differs only invisibly is suggested with the difference in words") {
    fixture_server server;
    command_result ndjson = run_artistfetch(
        {"--base-url", server.base_url(), "--limit", "50", "Lewis Carroll", "Mitski", "Phoebe Bridgers"});
    REQUIRE(ndjson.exit_code == 0);
    const std::vector<std::string> lines = lines_of(ndjson.out);
    REQUIRE(lines.size() == 3);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"Lewis\u00a0Carroll", "differs only by U+00A0 NO-BREAK SPACE"},
        {"Mit\u200bski", "differs only by U+200B ZERO WIDTH SPACE"},
        {"Phoebe Bridgers ", "differs only by a trailing U+0020 SPACE"}};
    for (std::size_t i = 0; i < lines.size(); ++i) {
      CAPTURE(lines[i]);
      rapidjson::Document record = parse_line(lines[i]);
      CHECK(record["results"].Size() == 0);
      REQUIRE(record.HasMember("suggestion_notes"));
      CHECK(strings_of(record["suggestions"]).at(0) == expected[i].first);
      CHECK(strings_of(record["suggestion_notes"]).at(0) == expected[i].second);
    }
    command_result table = run_artistfetch(
        {"--base-url", server.base_url(), "--format", "table", "--limit", "50", "Lewis Carroll"});
    CHECK(table.out.find("Lewis Carroll  no exact match; did you mean \"Lewis\u00a0Carroll\" (differs only by "
                         "U+00A0 NO-BREAK SPACE)?\n") != std::string::npos);
    // nocase compares NFKC case-folded text: the no-break space is a space there, the zero width space
    // nothing; the table shows Apple's spelling and a miss does not claim to be about an exact match.
    command_result nocase =
        run_artistfetch({"--base-url", server.base_url(), "--format", "table", "--limit", "50", "--match",
                         "nocase", "Lewis Carroll", "Mitski", "Phoebe Bridgers"});
    CHECK(nocase.out.find("\nLewis\u00a0Carroll  ") != std::string::npos);
    CHECK(nocase.out.find("\nMit\u200bski  ") != std::string::npos);
    CHECK(nocase.out.find("Lewis Carroll") == std::string::npos);
    // A trailing space is not folded away: a miss, which does not claim to be about an exact match.
    CHECK(nocase.out.find("Phoebe Bridgers  no match; did you mean") != std::string::npos);
    CHECK(nocase.out.find("exact") == std::string::npos);
  }

  TEST_CASE("a full page without a match says a larger --limit may find it") {
    fixture_server server;
    command_result ndjson = run_artistfetch({"--base-url", server.base_url(), "The National"});
    REQUIRE(ndjson.exit_code == 0);
    rapidjson::Document record = parse_line(lines_of(ndjson.out).at(0));
    REQUIRE(record.HasMember("result_count"));
    CHECK(record["result_count"].GetInt() == 5);
    CHECK(record["results"].Size() == 0);
    command_result table = run_artistfetch({"--base-url", server.base_url(), "--format", "table", "The National"});
    CHECK(table.out.find("? no match in the first 5 results; a larger --limit may find it") !=
          std::string::npos);
    command_result larger =
        run_artistfetch({"--base-url", server.base_url(), "--format", "table", "--limit", "20", "The National"});
    CHECK(larger.out.find("no match") == std::string::npos);
    CHECK(larger.out.find("High Violet") != std::string::npos);
  }

  TEST_CASE("--match nocase finds beyoncé under Beyoncé, exact does not, and accents still count") {
    fixture_server server;
    const std::vector<std::string> base{"--base-url", server.base_url(), "--format", "ndjson"};
    std::vector<std::string> exact_args = base;
    exact_args.insert(exact_args.end(), {"beyoncé", "beyonce"});
    command_result exact = run_artistfetch(exact_args);
    CHECK(exact.exit_code == 0);
    std::vector<std::string> lines = lines_of(exact.out);
    REQUIRE(lines.size() == 2);
    for (const std::string &line : lines) {
      rapidjson::Document record = parse_line(line);
      CHECK(record["results"].Size() == 0);
      CHECK(strings_of(record["suggestions"]) == std::vector<std::string>{"Beyoncé"});
    }

    for (const char *mode : {"", "--sync"}) {
      CAPTURE(mode);
      std::vector<std::string> nocase_args = base;
      nocase_args.insert(nocase_args.end(), {"--match", "nocase", "beyoncé", "beyonce"});
      if (*mode) nocase_args.push_back(mode);
      command_result nocase = run_artistfetch(nocase_args);
      CHECK(nocase.exit_code == 0);
      lines = lines_of(nocase.out);
      REQUIRE(lines.size() == 2);
      rapidjson::Document found = parse_line(lines[0]);
      CHECK(std::string(found["artist"].GetString()) == "beyoncé");
      CHECK(artist_names_of(found["results"]) ==
            std::vector<std::string>{"Beyoncé", "Beyoncé", "Beyoncé", "Beyoncé"});  // not "The Carters"
      CHECK_FALSE(found.HasMember("suggestions"));
      rapidjson::Document unaccented = parse_line(lines[1]);
      CHECK(unaccented["results"].Size() == 0);  // nocase keeps diacritics
      CHECK(strings_of(unaccented["suggestions"]) == std::vector<std::string>{"Beyoncé"});
    }
  }

  TEST_CASE("--match nocase folds Greek and Cyrillic, final sigma included, and never trims") {
    // The generic catalog of a term T holds albums by T, by its upper-case variant and by " T" and "T ".
    fixture_server server;
    for (const std::string name : {"σίσυφος", "жанна агузарова"}) {
      CAPTURE(name);
      command_result exact = run_artistfetch({"--base-url", server.base_url(), "--limit", "20", name});
      command_result nocase =
          run_artistfetch({"--base-url", server.base_url(), "--limit", "20", "--match", "nocase", name});
      CHECK(exact.exit_code == 0);
      CHECK(nocase.exit_code == 0);
      const std::vector<std::string> exact_names = artist_names_of(parse_line(exact.out)["results"]);
      const std::vector<std::string> nocase_names = artist_names_of(parse_line(nocase.out)["results"]);
      CHECK(std::count(exact_names.begin(), exact_names.end(), name) ==
            static_cast<long>(exact_names.size()));
      CHECK(nocase_names.size() == exact_names.size() + 1);  // plus the upper-case decoy
      for (const std::string &found : nocase_names) {
        CAPTURE(found);
        CHECK(found.front() != ' ');
        CHECK(found.back() != ' ');
        CHECK(found.find('&') == std::string::npos);
      }
    }
  }

  TEST_CASE("--stream prints each record once, as it finishes, the same lines as without it") {
    fixture_server server;
    const std::vector<std::string> names{"@slow500 First", "Lorde", "Dua Lipa", "Billy Eilish", "@404 Gone"};
    std::vector<std::string> args{"--base-url", server.base_url(), "--retries", "0"};
    args.insert(args.end(), names.begin(), names.end());
    command_result whole = run_artistfetch(args);
    args.push_back("--stream");
    command_result streamed = run_artistfetch(args);
    CHECK(streamed.exit_code == 1);  // @404 failed, as without --stream
    CHECK(streamed.exit_code == whole.exit_code);
    const std::vector<std::string> lines = lines_of(streamed.out);
    REQUIRE(lines.size() == names.size());
    CHECK(sorted(lines) == sorted(lines_of(whole.out)));
    // The slow first artist finishes last, so its line comes last; without --stream it comes first.
    CHECK(lines.back().find("{\"artist\":\"@slow500 First\"") == 0);
    CHECK(lines_of(whole.out).front().find("{\"artist\":\"@slow500 First\"") == 0);
  }

  TEST_CASE("--stream is ndjson only and excludes --compare") {
    for (const auto &bad : std::vector<std::vector<std::string>>{{"--stream", "--format", "table", "x"},
                                                                 {"--stream", "--format", "json", "x"},
                                                                 {"--stream", "--compare", "x"}}) {
      std::vector<std::string> args{"--base-url", "http://127.0.0.1:1/search"};
      args.insert(args.end(), bad.begin(), bad.end());
      command_result result = run_artistfetch(args);
      CHECK(result.exit_code == 2);
      CHECK(result.out.empty());
      CHECK(result.err.find("--stream") != std::string::npos);
    }
  }

  TEST_CASE(
      "a second run with the same --cache-dir sends no request and prints the records with 0 attempts") {
    fixture_server server;
    temp_dir cache;
    const std::vector<std::string> args{"--base-url",        server.base_url(), "--cache-dir",
                                        cache / "responses", "Lorde",           "Dua Lipa",
                                        "Billy Eilish",      "Zed Fictional",   "坂本龍一"};
    command_result first = run_artistfetch(args);
    CHECK(first.exit_code == 0);
    CHECK(first.err.empty());
    CHECK(server.total_requests() == 5);
    CHECK(cache.files(cache / "responses").size() == 5);

    command_result second = run_artistfetch(args);
    CHECK(second.exit_code == 0);
    CHECK(server.total_requests() == 5);  // not one request
    CHECK(second.out == as_cached(first.out));
    CHECK(second.out.find("\"attempts\":1") == std::string::npos);

    // Another query is another URL: the cache does not answer it.
    std::vector<std::string> other = args;
    other.insert(other.begin(), {"--limit", "3"});
    CHECK(run_artistfetch(other).exit_code == 0);
    CHECK(server.total_requests() == 10);
  }

  TEST_CASE("--no-cache asks the server again even when ARTISTFETCH_CACHE_DIR holds a fresh answer") {
    fixture_server server;
    temp_dir cache;
    const std::vector<std::string> env{"ARTISTFETCH_CACHE_DIR=" + cache.path()};
    CHECK(run_artistfetch({"--base-url", server.base_url(), "Lorde"}, env).exit_code == 0);
    CHECK(run_artistfetch({"--base-url", server.base_url(), "Lorde"}, env).exit_code == 0);
    CHECK(server.total_requests() == 1);  // the second run was answered by the cache
    command_result uncached = run_artistfetch({"--base-url", server.base_url(), "--no-cache", "Lorde"}, env);
    CHECK(uncached.exit_code == 0);
    CHECK(server.total_requests() == 2);
    CHECK(uncached.out.find("\"attempts\":1") != std::string::npos);
  }

  TEST_CASE("an optional value written apart, or a mistyped option, stops the run before any request") {
    fixture_server server;
    for (const std::vector<std::string> &args :
         std::vector<std::vector<std::string>>{{"--stats", "json", "Lorde"},
                                               {"--color", "always", "Lorde"},
                                               {"--lmit", "3", "Lorde"}}) {
      std::vector<std::string> full{"--base-url", server.base_url()};
      full.insert(full.end(), args.begin(), args.end());
      command_result run = run_artistfetch(full);
      CAPTURE(run.err);
      CHECK(run.exit_code == 2);
      CHECK(run.out.empty());
    }
    CHECK(run_artistfetch({"--base-url", server.base_url(), "--stats", "json", "Lorde"}).err.find(
              "write --stats=json") != std::string::npos);
    CHECK(run_artistfetch({"--base-url", server.base_url(), "--lmit", "3", "Lorde"}).err.find(
              "did you mean --limit?") != std::string::npos);
    CHECK(server.total_requests() == 0);
  }

  TEST_CASE("a corrupted cache entry is ignored, refetched and rewritten") {
    fixture_server server;
    temp_dir cache;
    const std::vector<std::string> args{"--base-url", server.base_url(), "--cache-dir",
                                        cache.path(), "Lorde",           "Dua Lipa"};
    command_result first = run_artistfetch(args);
    REQUIRE(cache.files().size() == 2);
    // One entry truncated, the other overwritten with garbage.
    const std::vector<std::string> files = cache.files();
    std::string entry;
    {
      std::ifstream in(cache / files[0], std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      entry = content.str();
    }
    std::ofstream(cache / files[0], std::ios::binary | std::ios::trunc) << entry.substr(0, entry.size() / 2);
    std::ofstream(cache / files[1], std::ios::binary | std::ios::trunc) << "not a cache entry\n";

    command_result second = run_artistfetch(args);
    CHECK(second.exit_code == 0);
    CHECK(server.total_requests() == 4);  // both refetched
    CHECK(second.out == first.out);       // fetched again: attempts 1 as the first time

    command_result third = run_artistfetch(args);
    CHECK(server.total_requests() == 4);  // the rewritten entries serve again
    CHECK(third.out == as_cached(first.out));
    CHECK(cache.files() == files);  // no temporary file left behind
  }

  TEST_CASE("errors and throttling answers are never cached") {
    fixture_server server;
    temp_dir cache;
    const std::vector<std::string> args{
        "--base-url", server.base_url(), "--cache-dir", cache.path(),    "--retries",
        "0",          "@500 Broken",     "@403x1 Busy", "@html200 Page", "Lorde"};
    command_result first = run_artistfetch(args);
    CHECK(first.exit_code == 1);
    CHECK(cache.files().size() == 1);  // Lorde only

    command_result second = run_artistfetch(args);
    CHECK(server.requests_for("@500 Broken") == 2);
    CHECK(server.requests_for("@403x1 Busy") == 2);  // throttled the first time, answered the second
    CHECK(server.requests_for("@html200 Page") == 2);
    CHECK(server.requests_for("Lorde") == 1);
    const std::vector<std::string> lines = lines_of(second.out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[1].find("{\"artist\":\"@403x1 Busy\",\"status\":\"ok\",\"attempts\":1") == 0);
    CHECK(lines[3].find("\"attempts\":0") != std::string::npos);
    CHECK(cache.files().size() == 2);  // now @403x1's good answer too

    run_artistfetch(args);
    CHECK(server.requests_for("@403x1 Busy") == 2);
    CHECK(server.requests_for("@500 Broken") == 3);
  }

  TEST_CASE("--sync and --compare neither read nor write the cache") {
    fixture_server server;
    temp_dir cache;
    const std::vector<std::string> names{"Lorde", "Dua Lipa"};
    std::vector<std::string> args{"--base-url", server.base_url(), "--cache-dir", cache / "c"};
    args.insert(args.end(), names.begin(), names.end());

    std::vector<std::string> sync_args = args;
    sync_args.push_back("--sync");
    CHECK(run_artistfetch(sync_args).exit_code == 0);
    CHECK(server.total_requests() == 2);
    CHECK(cache.files().empty());  // not even created

    CHECK(run_artistfetch(args).exit_code == 0);  // the async run fills the cache
    CHECK(server.total_requests() == 4);
    REQUIRE(cache.files(cache / "c").size() == 2);

    command_result sync_again = run_artistfetch(sync_args);
    CHECK(server.total_requests() == 6);
    CHECK(sync_again.out.find("\"attempts\":0") == std::string::npos);

    std::vector<std::string> compare_args = args;
    compare_args.insert(compare_args.end(), {"--compare", "--format", "ndjson"});
    command_result compare = run_artistfetch(compare_args);
    CHECK(compare.exit_code == 0);
    CHECK(server.total_requests() == 10);  // each mode asked once per artist
    CHECK(compare.out.find("\"attempts\":0") == std::string::npos);
  }

  TEST_CASE("ARTISTFETCH_CACHE_DIR turns the cache on, --cache-ttl 0 always refetches") {
    fixture_server server;
    temp_dir cache;
    const std::vector<std::string> args{"--base-url", server.base_url(), "Lorde"};
    const std::vector<std::string> env{"ARTISTFETCH_CACHE_DIR=" + cache.path()};
    CHECK(run_artistfetch(args, env).exit_code == 0);
    CHECK(run_artistfetch(args, env).out.find("\"attempts\":0") != std::string::npos);
    CHECK(server.total_requests() == 1);

    std::vector<std::string> ttl_zero = args;
    ttl_zero.insert(ttl_zero.end(), {"--cache-ttl", "0"});
    command_result refetched = run_artistfetch(ttl_zero, env);
    CHECK(refetched.out.find("\"attempts\":1") != std::string::npos);
    CHECK(server.total_requests() == 2);

    // --cache-dir wins over the environment.
    std::vector<std::string> flag = args;
    flag.insert(flag.end(), {"--cache-dir", cache / "other"});
    CHECK(run_artistfetch(flag, env).out.find("\"attempts\":1") != std::string::npos);
    CHECK(server.total_requests() == 3);
    CHECK(cache.files(cache / "other").size() == 1);
  }

  TEST_CASE("a cache entry that cannot be written is a warning, which --quiet silences") {
    fixture_server server;
    temp_dir cache;
    // A directory where the entry's file would go: the lookup succeeds, the rename over it cannot.
    cli::options opts;
    opts.base_url = server.base_url();
    opts.artists = {"Lorde"};
    const std::string url = engine::query_url(cli::make_run_plan(opts), 0);
    const std::string entry = cache::response_cache(cache.path(), 86400).entry_path(url);
    REQUIRE(::mkdir(entry.c_str(), 0700) == 0);
    const std::vector<std::string> args{"--base-url", server.base_url(), "--cache-dir", cache.path(), "Lorde"};

    command_result loud = run_artistfetch(args);
    CHECK(loud.exit_code == 0);
    // One warning, the first problem met: the directory is not an entry to read (nor can it be replaced).
    CHECK(loud.err == "artistfetch: warning: the cache entry '" + entry + "' is not a regular file: ignored\n");

    std::vector<std::string> quiet_args = args;
    quiet_args.insert(quiet_args.begin(), "--quiet");
    command_result quiet = run_artistfetch(quiet_args);
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.err.empty());
    CHECK(quiet.out == loud.out);
  }

  TEST_CASE("a cache directory that cannot be created is an error before any request") {
    fixture_server server;
    temp_dir cache;
    std::ofstream(cache / "file") << "x";
    command_result result =
        run_artistfetch({"--base-url", server.base_url(), "--cache-dir", cache / "file/cache", "Lorde"});
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find(cache / "file") != std::string::npos);
    CHECK(server.total_requests() == 0);
  }
}

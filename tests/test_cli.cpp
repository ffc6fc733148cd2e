// artistfetch end to end against the fixture server: the records, their order, the modes, the exit codes.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

namespace {

using test_support::run_artistfetch;

using test_support::lines_of;
using test_support::parse_line;

using test_support::command_result;
using test_support::fixture_server;

// Names that exercise percent-encoding: spaces, & = # + % / ? ", and non-ASCII text.
const std::vector<std::string> tricky_names = {
    "Billie Eilish", "Simon & Garfunkel", "a=b#c+d%e/f?g\"h", "AC/DC",   "Beyoncé",
    "Sigur Rós",     "坂本龍一",          "Dua Lipa",         "Lorde",   "Zed Fictional",
};



// What the classic tutorial keeps: the server's results whose artistName equals the name, computed here
// from the raw response, independently of artistfetch's parser.
rapidjson::Document tutorial_matches(const fixture_server &server, const std::string &name) {
  auto response =
      test_support::http_get(server.base_url() + "?term=" + test_support::url_encode(name) +
                             "&entity=album&limit=5&sort=recent");
  rapidjson::Document raw;
  raw.Parse(response.body.c_str(), response.body.size());
  REQUIRE_FALSE(raw.HasParseError());
  rapidjson::Document kept(rapidjson::kArrayType);
  for (auto &result : raw["results"].GetArray()) {
    if (result.HasMember("artistName") && result["artistName"].IsString() &&
        name == result["artistName"].GetString())
      kept.PushBack(rapidjson::Value(result, kept.GetAllocator()), kept.GetAllocator());
  }
  return kept;
}


std::string write_temp_file(const std::string &content) {
  char path[] = "/tmp/artistfetch-test-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  close(fd);
  return path;
}

// A file of the build that holds the artistfetch binary under test: "embed", "tests/test_uvcurl".
std::string build_path(const std::string &relative) {
  std::string program = test_support::program_path();
  return program.substr(0, program.rfind('/') + 1) + relative;
}

bool valgrind_usable() {
  return std::system("command -v valgrind >/dev/null 2>&1") == 0 && !std::getenv("ARTISTFETCH_SANITIZED");
}

const std::vector<std::string> valgrind_args = {"/usr/bin/valgrind",        "--quiet",
                                                "--leak-check=full",        "--show-leak-kinds=all",
                                                "--errors-for-leak-kinds=all", "--error-exitcode=99"};

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("every artist gets exactly the tutorial's matches, in input order") {
    fixture_server server;
    std::vector<std::string> args{"--base-url", server.base_url(), "--format", "ndjson"};
    args.insert(args.end(), tricky_names.begin(), tricky_names.end());
    command_result result = run_artistfetch(args);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    std::vector<std::string> lines = lines_of(result.out);
    REQUIRE(lines.size() == tricky_names.size());
    std::size_t matched = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      CAPTURE(tricky_names[i]);
      rapidjson::Document record = parse_line(lines[i]);
      CHECK(std::string(record["artist"].GetString()) == tricky_names[i]);
      CHECK(std::string(record["status"].GetString()) == "ok");
      CHECK(record["attempts"].GetInt() == 1);
      rapidjson::Document expected = tutorial_matches(server, tricky_names[i]);
      CHECK(record["results"] == expected);  // deep equality: every field as the server sent it
      matched += expected.Size();
    }
    CHECK(matched >= tricky_names.size());  // every name has at least one exact match in the catalog
  }

  TEST_CASE("the sync mode prints the same bytes as the async mode") {
    fixture_server server;
    std::vector<std::string> args{"--base-url", server.base_url(), "--format", "ndjson"};
    args.insert(args.end(), tricky_names.begin(), tricky_names.end());
    command_result async_run = run_artistfetch(args);
    args.push_back("--sync");
    command_result sync_run = run_artistfetch(args);
    CHECK(async_run.exit_code == 0);
    CHECK(sync_run.exit_code == 0);
    CHECK(lines_of(sync_run.out).size() == tricky_names.size());
    CHECK(sync_run.out == async_run.out);
  }

  TEST_CASE("several loops side by side print the same bytes as one loop, and ask for each artist once") {
    fixture_server server;
    std::vector<std::string> names = tricky_names;
    names.push_back("@503once Retried");  // retried after Retry-After: 1
    names.push_back("@500 Failing");
    for (int i = 0; names.size() < 100; ++i) names.push_back("Artist " + std::to_string(i));
    std::vector<std::string> args{"--base-url", server.base_url(), "--format", "ndjson", "--retries", "1",
                                  "--concurrency", "12"};
    args.insert(args.end(), names.begin(), names.end());
    std::vector<std::string> outputs;
    for (const std::string threads : {"1", "3", "4"}) {
      CAPTURE(threads);
      server.reset();
      std::vector<std::string> with_threads = args;
      with_threads.insert(with_threads.begin(), {"--threads", threads});
      command_result run = run_artistfetch(with_threads);
      CHECK(run.exit_code == 1);  // "@500 Failing"
      CHECK(lines_of(run.out).size() == names.size());
      outputs.push_back(run.out);
      // The concurrency is shared out, not multiplied: 12, plus one for each error answer after which the
      // fixture closes the connection (the 503 and the two 500s), plus the /stats query itself.
      CHECK(server.connections() <= 12 + 3 + 1);
      for (const std::string &name : names) {
        CAPTURE(name);
        const long expected = name == "@503once Retried" || name == "@500 Failing" ? 2 : 1;
        CHECK(server.requests_for(name) == expected);
      }
    }
    CHECK(outputs[1] == outputs[0]);
    CHECK(outputs[2] == outputs[0]);
  }

  TEST_CASE("a failing artist exits 1 and leaves the others intact") {
    fixture_server server;
    for (const char *mode : {"", "--sync"}) {
      CAPTURE(mode);
      std::vector<std::string> args{"--base-url", server.base_url(), "--retries", "0", "Lorde", "@404 Gone",
                                    "@500 Broken", "Dua Lipa"};
      if (*mode) args.push_back(mode);
      command_result result = run_artistfetch(args);
      CHECK(result.exit_code == 1);
      std::vector<std::string> lines = lines_of(result.out);
      REQUIRE(lines.size() == 4);
      CHECK(lines[0].find("{\"artist\":\"Lorde\",\"status\":\"ok\"") == 0);
      CHECK(lines[1] == "{\"artist\":\"@404 Gone\",\"status\":\"error\",\"error\":\"HTTP 404\","
                        "\"http_status\":404,\"attempts\":1}");
      CHECK(lines[2].find("{\"artist\":\"@500 Broken\",\"status\":\"error\"") == 0);
      CHECK(lines[2].find("\"http_status\":500") != std::string::npos);
      CHECK(lines[3].find("{\"artist\":\"Dua Lipa\",\"status\":\"ok\"") == 0);
      CHECK(parse_line(lines[3])["results"] == tutorial_matches(server, "Dua Lipa"));
    }
  }

  TEST_CASE("an unreachable server is an error record per artist, not a crash") {
    command_result result =
        run_artistfetch({"--base-url", "http://127.0.0.1:1/search", "--retries", "0", "One", "Two"});
    CHECK(result.exit_code == 1);
    std::vector<std::string> lines = lines_of(result.out);
    REQUIRE(lines.size() == 2);
    for (const std::string &line : lines) {
      rapidjson::Document record = parse_line(line);
      CHECK(std::string(record["status"].GetString()) == "error");
      CHECK(std::string(record["error"].GetString()).find("(curl error 7)") != std::string::npos);
      CHECK_FALSE(record.HasMember("http_status"));
    }
  }

  TEST_CASE("usage errors exit 2 and name the argument") {
    struct usage_case {
      std::vector<std::string> args;
      std::string mentions;
    };
    const std::vector<usage_case> cases = {
        {{}, "no artist names"},
        {{"--frobnicate", "x"}, "--frobnicate"},
        {{"--limit", "0", "x"}, "--limit"},
        {{"--limit", "201", "x"}, "--limit"},
        {{"--concurrency", "-1", "x"}, "--concurrency"},
        {{"--timeout", "abc", "x"}, "--timeout"},
        {{"--format", "xml", "x"}, "--format"},
        {{"--sync", "--compare", "x"}, "--compare"},
        {{"--input", "/nonexistent/names.txt"}, "/nonexistent/names.txt"},
        {{"ok", ""}, "argument"},
        {{"bad\x01name"}, "control"},
        {{"\xff\xfe"}, "UTF-8"},
        {{std::string(1001, 'a')}, "1000"},
    };
    for (const usage_case &each : cases) {
      CAPTURE(each.mentions);
      // An unused port: a usage error must be caught before any request is sent.
      std::vector<std::string> args{"--base-url", "http://127.0.0.1:1/search"};
      args.insert(args.end(), each.args.begin(), each.args.end());
      command_result result = run_artistfetch(args);
      CHECK(result.exit_code == 2);
      CHECK(result.out.empty());
      CHECK(result.err.find(each.mentions) != std::string::npos);
    }
  }

  TEST_CASE("names come from --input and stdin, blank lines skipped, duplicates kept at their first place") {
    fixture_server server;
    std::string file = write_temp_file("Lorde\r\n\n   \nDua Lipa\nBillie Eilish\n");
    test_support::artistfetch_run with_stdin;
    with_stdin.stdin_data = "Lorde\nZed\n\n";
    command_result result = run_artistfetch(
        {"--base-url", server.base_url(), "Billie Eilish", "--input", file, "--input", "-"}, with_stdin);
    std::remove(file.c_str());
    CHECK(result.exit_code == 0);
    std::vector<std::string> artists;
    for (const std::string &line : lines_of(result.out))
      artists.push_back(parse_line(line)["artist"].GetString());
    CHECK(artists == std::vector<std::string>{"Billie Eilish", "Lorde", "Dua Lipa", "Zed"});
    CHECK(server.requests_for("Lorde") == 1);
  }

  TEST_CASE("ARTISTFETCH_BASE_URL is the default and --base-url overrides it") {
    fixture_server server;
    command_result from_env = run_artistfetch({"Lorde"}, {"ARTISTFETCH_BASE_URL=" + server.base_url()});
    CHECK(from_env.exit_code == 0);
    CHECK(from_env.out.find("\"status\":\"ok\"") != std::string::npos);
    command_result overridden = run_artistfetch({"--base-url", server.base_url(), "Lorde"},
                                                {"ARTISTFETCH_BASE_URL=http://127.0.0.1:1/search"});
    CHECK(overridden.exit_code == 0);
    CHECK(server.requests_for("Lorde") == 2);
  }

  TEST_CASE("json and table formats carry the same records") {
    fixture_server server;
    command_result json = run_artistfetch({"--base-url", server.base_url(), "--format", "json", "Lorde",
                                           "@404 Gone", "Sigur Rós"});
    CHECK(json.exit_code == 1);
    rapidjson::Document document;
    document.Parse(json.out.c_str(), json.out.size());
    REQUIRE_FALSE(document.HasParseError());
    REQUIRE(document["artists"].IsArray());
    REQUIRE(document["artists"].Size() == 3);
    CHECK(std::string(document["artists"][2]["artist"].GetString()) == "Sigur Rós");
    CHECK(document["artists"][0]["results"] == tutorial_matches(server, "Lorde"));

    command_result table = run_artistfetch({"--base-url", server.base_url(), "--format", "table", "Lorde",
                                            "@404 Gone"});
    CHECK(table.exit_code == 1);
    CHECK(table.out.find("ARTIST") == 0);
    CHECK(table.out.find("Melodrama") != std::string::npos);
    CHECK(table.out.find("2017-06-16") != std::string::npos);
    CHECK(table.out.find("error: HTTP 404") != std::string::npos);
  }

  TEST_CASE("--compare prints the report once and the timing table on stderr") {
    fixture_server server({"--latency-ms", "100"});
    command_result result = run_artistfetch({"--base-url", server.base_url(), "--compare", "--format", "ndjson",
                                             "Billie Eilish", "Dua Lipa", "Lorde"});
    CHECK(result.exit_code == 0);
    CHECK(lines_of(result.out).size() == 3);
    CHECK(result.err.find("mode") == 0);
    CHECK(result.err.find("sync ") != std::string::npos);
    CHECK(result.err.find("async") != std::string::npos);
    CHECK(result.err.find("speedup") != std::string::npos);
    CHECK(server.total_requests() == 6);  // each mode asked once per artist
  }

  TEST_CASE("--help and --version exit 0") {
    command_result help = run_artistfetch({"--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Usage: artistfetch") == 0);
    command_result version = run_artistfetch({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out.find("artistfetch ") == 0);
  }
}

TEST_SUITE("example") {
  TEST_CASE("the C example runs lookups on its own loop and closes it cleanly") {
    fixture_server server({"--latency-ms", "100"});
    const std::string embed = build_path("embed");
    command_result result = test_support::run_command({embed, server.base_url(), "Lorde", "Beyoncé", "Zed"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("Lorde: HTTP 200") != std::string::npos);
    CHECK(result.out.find("Beyoncé: HTTP 200") != std::string::npos);
    CHECK(result.out.find("uv_loop_close: 0") != std::string::npos);
    CHECK(result.out.find("ticked 0 times") == std::string::npos);  // the host's timer ran meanwhile
  }

  TEST_CASE("the C example is valgrind-clean") {
    if (!valgrind_usable()) {
      MESSAGE("valgrind not available or sanitized build: skipped");
      return;
    }
    fixture_server server;
    std::vector<std::string> argv = valgrind_args;
    argv.insert(argv.end(), {build_path("embed"), server.base_url(), "Lorde", "Dua Lipa"});
    command_result result = test_support::run_command(argv, "", 120);
    CHECK(result.exit_code == 0);
    CHECK(result.err.find("definitely lost") == std::string::npos);
  }

  TEST_CASE("the loop under faults, cancellations and a close in flight is valgrind-clean") {
    if (!valgrind_usable()) {
      MESSAGE("valgrind not available or sanitized build: skipped");
      return;
    }
    std::vector<std::string> argv = valgrind_args;
    argv.insert(argv.end(), {build_path("tests/test_uvcurl"), "--test-case=*under faults*"});
    command_result result = test_support::run_command(argv, "", 50, {"UVCURL_STRESS_TRANSFERS=300"});
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("1 passed") != std::string::npos);
  }
}

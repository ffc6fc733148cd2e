// Tests of argument parsing and validation (src/cli/options.cpp).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/run_plan.hpp"
#include "support/parse_arguments.hpp"
#include "support/run_output.hpp"

namespace {

using test_support::check_usage_error;
using test_support::parse;

// A file in the temporary directory, removed when the test ends.
class temp_file {
 public:
  explicit temp_file(const std::string &contents) {
    char pattern[] = "/tmp/artistfetch-test-XXXXXX";
    const int fd = mkstemp(pattern);
    REQUIRE(fd >= 0);
    close(fd);
    path_ = pattern;
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~temp_file() { std::remove(path_.c_str()); }
  temp_file(const temp_file &) = delete;
  temp_file &operator=(const temp_file &) = delete;
  const std::string &path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

TEST_SUITE("options") {
  TEST_CASE("names alone give every documented default") {
    const cli::parse_outcome outcome = parse({"Adele", "Björk"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    const cli::options &opts = outcome.opts;
    CHECK(opts.artists == std::vector<std::string>{"Adele", "Björk"});
    CHECK(opts.base_url == "https://itunes.apple.com/search");
    CHECK(opts.query.entity == "album");
    CHECK(opts.query.limit == 5);
    CHECK(opts.query.sort == "recent");
    CHECK(opts.query.country.empty());
    CHECK_FALSE(opts.sync);
    CHECK_FALSE(opts.compare);
    CHECK(opts.concurrency == 50);
    CHECK(opts.timeout_s == 30);
    CHECK(opts.connect_timeout_s == 10);
    CHECK(opts.stall_timeout_s == 10);
    CHECK(opts.cacert.empty());
    CHECK_FALSE(opts.format.has_value());
    CHECK(opts.retries == 3);
    CHECK(opts.retry_on.empty());  // the runner applies its default list
    CHECK_FALSE(opts.retry_on_given);
    CHECK(opts.backoff_base_s == 0.5);
    CHECK(opts.backoff_cap_s == 30);
    CHECK(opts.max_retry_after_s == 60);
    CHECK(opts.rate_per_min == 0);
    CHECK_FALSE(opts.rate_given);
    CHECK(opts.max_body == 8LL * 1024 * 1024);
  }

  TEST_CASE("query flags accept good values") {
    const cli::parse_outcome outcome =
        parse({"--base-url", "http://127.0.0.1:8080/search?x=1", "--entity", "musicArtist", "--limit", "200",
               "--sort", "popular", "--country", "jp", "Adele"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.base_url == "http://127.0.0.1:8080/search?x=1");
    CHECK(outcome.opts.query.entity == "musicArtist");
    CHECK(outcome.opts.query.limit == 200);
    CHECK(outcome.opts.query.sort == "popular");
    CHECK(outcome.opts.query.country == "jp");
    CHECK(parse({"--limit", "1", "A"}).opts.query.limit == 1);
    CHECK(parse({"--base-url", "HTTPS://example.com", "A"}).opts.base_url == "HTTPS://example.com");
    // libcurl would read "https:///search" as https://search/: refused (issue 12; see test_cli_hostile.cpp).
    CHECK(parse({"--base-url", "https:///search", "A"}).kind == cli::parse_outcome::usage_error);
  }

  TEST_CASE("an empty --sort means no sort parameter") {
    const cli::parse_outcome outcome = parse({"--sort", "", "Adele"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.query.sort.empty());
    CHECK(parse({"--sort=", "Adele"}).opts.query.sort.empty());
  }

  TEST_CASE("transfer flags accept good values") {
    temp_file ca("-----BEGIN CERTIFICATE-----\n");
    const cli::parse_outcome outcome = parse({"--sync", "--concurrency", "10000", "--timeout", "2.5",
                                              "--connect-timeout", "0.25", "--cacert", ca.path(), "Adele"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.sync);
    CHECK(outcome.opts.concurrency == 10000);
    CHECK(outcome.opts.timeout_s == 2.5);
    CHECK(outcome.opts.connect_timeout_s == 0.25);
    CHECK(outcome.opts.cacert == ca.path());
    CHECK(parse({"--compare", "A"}).opts.compare);
    CHECK(parse({"--concurrency", "1", "A"}).opts.concurrency == 1);
    CHECK(parse({"--timeout", "30.", "A"}).opts.timeout_s == 30);
    CHECK(parse({"--timeout", ".5", "A"}).opts.timeout_s == 0.5);
    CHECK(parse({"--timeout", "0.001", "A"}).opts.timeout_s == 0.001);
    CHECK(parse({"--timeout", "86400", "A"}).opts.timeout_s == 86400);
    CHECK(parse({"--stall-timeout", "1", "A"}).opts.stall_timeout_s == 1);
    CHECK(parse({"--stall-timeout=2.5", "A"}).opts.stall_timeout_s == 2.5);
  }

  TEST_CASE("every output format is accepted") {
    CHECK(parse({"--format", "ndjson", "A"}).opts.format == report::output_format::ndjson);
    CHECK(parse({"--format", "json", "A"}).opts.format == report::output_format::json);
    CHECK(parse({"--format", "table", "A"}).opts.format == report::output_format::table);
  }

  TEST_CASE("fault flags accept good values") {
    const cli::parse_outcome outcome =
        parse({"--retries", "0", "--retry-on", "503,429, 500,429", "--backoff-base", "0.01", "--backoff-cap",
               "2", "--max-retry-after", "0", "--max-body", "1024", "Adele"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.retries == 0);
    CHECK(outcome.opts.retry_on == std::vector<long>{429, 500, 503});
    CHECK(outcome.opts.retry_on_given);
    CHECK(outcome.opts.backoff_base_s == 0.01);
    CHECK(outcome.opts.backoff_cap_s == 2);
    CHECK(outcome.opts.max_retry_after_s == 0);
    CHECK(outcome.opts.max_body == 1024);
    CHECK(parse({"--retries", "100", "A"}).opts.retries == 100);
    CHECK(parse({"--retry-on", "100", "A"}).opts.retry_on == std::vector<long>{100});
    CHECK(parse({"--retry-on", "599", "A"}).opts.retry_on == std::vector<long>{599});
    CHECK(parse({"--backoff-base", "3", "--backoff-cap", "3", "A"}).kind == cli::parse_outcome::run);
  }

  TEST_CASE("an empty --retry-on retries no status") {
    const cli::parse_outcome outcome = parse({"--retry-on", "", "Adele"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.retry_on.empty());
    CHECK(outcome.opts.retry_on_given);
  }

  TEST_CASE("--rate accepts per-minute, per-second and plain numbers") {
    struct example {
      const char *value;
      double per_min;
    };
    for (const example &e :
         {example{"20/min", 20}, example{"5/s", 300}, example{"20", 20}, example{"0.5/s", 30},
          example{"1.5", 1.5}, example{"0", 0}, example{"0/s", 0}, example{"unlimited", 0}}) {
      CAPTURE(e.value);
      const cli::parse_outcome outcome = parse({"--rate", e.value, "Adele"});
      REQUIRE(outcome.kind == cli::parse_outcome::run);
      CHECK(outcome.opts.rate_per_min == e.per_min);
      CHECK(outcome.opts.rate_given);
    }
  }

  TEST_CASE("--max-body accepts K, M and G suffixes as binary multiples") {
    CHECK(parse({"--max-body", "1K", "A"}).opts.max_body == 1024);
    CHECK(parse({"--max-body", "64k", "A"}).opts.max_body == 64 * 1024);
    CHECK(parse({"--max-body", "8M", "A"}).opts.max_body == 8LL * 1024 * 1024);
    CHECK(parse({"--max-body", "2G", "A"}).opts.max_body == 2LL * 1024 * 1024 * 1024);
    CHECK(parse({"--max-body", "1048576", "A"}).opts.max_body == 1048576);
  }

  TEST_CASE("bad values are usage errors naming the flag and the value") {
    struct example {
      const char *flag;
      const char *value;
      const char *message;
    };
    const example examples[] = {
        {"--base-url", "ftp://example.com",
         "--base-url: 'ftp://example.com' does not start with http:// or https://"},
        {"--base-url", "example.com", "--base-url: 'example.com' does not start with http:// or https://"},
        {"--base-url", "https:/x?q=1", "--base-url: 'https:/x?q=1' does not start with http:// or https://"},
        {"--base-url", "http:example.com", "--base-url: 'http:example.com' does not start with http:// or https://"},
        {"--base-url", "", "--base-url: '' does not start with http:// or https://"},
        {"--base-url", "http://", "--base-url: 'http://' has no host"},
        {"--base-url", "http://?x=1", "--base-url: 'http://?x=1' has no host"},
        {"--base-url", "http://a b/", "--base-url: 'http://a b/' contains a space or a control character"},
        {"--entity", "",
         "--entity: '' is not an entity name (ASCII letters only, such as album or musicTrack)"},
        {"--entity", "album2",
         "--entity: 'album2' is not an entity name (ASCII letters only, such as album or "
         "musicTrack)"},
        {"--entity", "al bum",
         "--entity: 'al bum' is not an entity name (ASCII letters only, such as album or "
         "musicTrack)"},
        {"--limit", "0", "--limit: '0' is not an integer from 1 to 200"},
        {"--limit", "201", "--limit: '201' is not an integer from 1 to 200"},
        {"--limit", "abc", "--limit: 'abc' is not an integer from 1 to 200"},
        {"--limit", "1x", "--limit: '1x' is not an integer from 1 to 200"},
        {"--limit", "", "--limit: '' is not an integer from 1 to 200"},
        {"--limit", "-5", "--limit: '-5' is not an integer from 1 to 200"},
        {"--limit", "+5", "--limit: '+5' is not an integer from 1 to 200"},
        {"--limit", " 5", "--limit: ' 5' is not an integer from 1 to 200"},
        {"--limit", "5.0", "--limit: '5.0' is not an integer from 1 to 200"},
        {"--limit", "99999999999999999999999",
         "--limit: '99999999999999999999999' is not an integer from 1 to 200"},
        {"--sort", "a\x01", "--sort: 'a\\x01' is not valid UTF-8 text without control characters"},
        {"--country", "U", "--country: 'U' is not a two-letter country code such as US or jp"},
        {"--country", "USA", "--country: 'USA' is not a two-letter country code such as US or jp"},
        {"--country", "1A", "--country: '1A' is not a two-letter country code such as US or jp"},
        {"--country", "", "--country: '' is not a two-letter country code such as US or jp"},
        {"--concurrency", "0", "--concurrency: '0' is not an integer from 1 to 10000"},
        {"--concurrency", "10001", "--concurrency: '10001' is not an integer from 1 to 10000"},
        {"--timeout", "0", "--timeout: '0' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", "-1", "--timeout: '-1' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", "nan", "--timeout: 'nan' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", "inf", "--timeout: 'inf' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", "1e3", "--timeout: '1e3' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", "0x10", "--timeout: '0x10' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", ".", "--timeout: '.' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", "1.2.3", "--timeout: '1.2.3' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", "86401", "--timeout: '86401' is not a number of seconds from 0.001 to 86400"},
        {"--timeout", "", "--timeout: '' is not a number of seconds from 0.001 to 86400"},
        {"--connect-timeout", "0", "--connect-timeout: '0' is not a number of seconds from 0.001 to 86400"},
        {"--connect-timeout", "2s", "--connect-timeout: '2s' is not a number of seconds from 0.001 to 86400"},
        {"--stall-timeout", "0.5", "--stall-timeout: '0.5' is not a number of seconds from 1 to 86400"},
        {"--stall-timeout", "x", "--stall-timeout: 'x' is not a number of seconds from 1 to 86400"},
        {"--cacert", "/nonexistent/ca.pem",
         "--cacert: cannot use '/nonexistent/ca.pem': No such file or directory"},
        {"--cacert", "/tmp", "--cacert: cannot use '/tmp': it is a directory"},
        {"--cacert", "", "--cacert: cannot use '': empty path"},
        {"--format", "csv", "--format: 'csv' is not one of ndjson, json, table"},
        {"--format", "JSON", "--format: 'JSON' is not one of ndjson, json, table"},
        {"--retries", "-1", "--retries: '-1' is not an integer from 0 to 100"},
        {"--retries", "101", "--retries: '101' is not an integer from 0 to 100"},
        {"--retry-on", "99", "--retry-on: '99' in '99' is not an HTTP status from 100 to 599"},
        {"--retry-on", "429,600", "--retry-on: '600' in '429,600' is not an HTTP status from 100 to 599"},
        {"--retry-on", "429,,503", "--retry-on: '' in '429,,503' is not an HTTP status from 100 to 599"},
        {"--retry-on", "429,", "--retry-on: '' in '429,' is not an HTTP status from 100 to 599"},
        {"--retry-on", "abc", "--retry-on: 'abc' in 'abc' is not an HTTP status from 100 to 599"},
        {"--backoff-base", "0",
         "--backoff-base: '0' is not a number of seconds greater than 0 and at most 86400"},
        {"--backoff-base", "x",
         "--backoff-base: 'x' is not a number of seconds greater than 0 and at most 86400"},
        {"--backoff-cap", "0",
         "--backoff-cap: '0' is not a number of seconds greater than 0 and at most 86400"},
        {"--max-retry-after", "-1", "--max-retry-after: '-1' is not a number of seconds from 0 to 86400"},
        {"--max-retry-after", "inf", "--max-retry-after: 'inf' is not a number of seconds from 0 to 86400"},
        {"--max-body", "1023",
         "--max-body: '1023' is not a byte count of at least 1024 (suffixes K, M and G mean "
         "KiB, MiB, GiB)"},
        {"--max-body", "1T",
         "--max-body: '1T' is not a byte count of at least 1024 (suffixes K, M and G mean KiB, "
         "MiB, GiB)"},
        {"--max-body", "K",
         "--max-body: 'K' is not a byte count of at least 1024 (suffixes K, M and G mean KiB, "
         "MiB, GiB)"},
        {"--max-body", "0K",
         "--max-body: '0K' is not a byte count of at least 1024 (suffixes K, M and G mean KiB, "
         "MiB, GiB)"},
        {"--max-body", "99999999999G",
         "--max-body: '99999999999G' is not a byte count of at least 1024 (suffixes "
         "K, M and G mean KiB, MiB, GiB)"},
        {"--input", "", "--input: the file name is empty (use - for standard input)"},
    };
    for (const example &e : examples) {
      CAPTURE(e.flag);
      CAPTURE(e.value);
      check_usage_error(parse({e.flag, e.value, "Adele"}), e.message);
      check_usage_error(parse({std::string(e.flag) + "=" + e.value, "Adele"}), e.message);
    }
  }

  TEST_CASE("bad --rate values are usage errors") {
    for (const char *value :
         {"", "-1", "fast", "20/h", "/s", "20/", "1e3", "nan", "0.001", "2000000/s", "20 /min"}) {
      CAPTURE(value);
      const cli::parse_outcome outcome = parse({"--rate", value, "Adele"});
      CHECK(outcome.kind == cli::parse_outcome::usage_error);
      CHECK(outcome.message.rfind("--rate: '" + std::string(value) + "' is not a rate", 0) == 0);
    }
  }

  TEST_CASE("a value flag at the end is missing its value") {
    for (const char *flag :
         {"--base-url", "--entity", "--limit", "--sort", "--country", "--concurrency", "--timeout",
          "--connect-timeout", "--stall-timeout", "--cacert", "--format", "--input", "--retries",
          "--retry-on", "--backoff-base", "--backoff-cap", "--max-retry-after", "--rate", "--max-body"}) {
      CAPTURE(flag);
      check_usage_error(parse({"Adele", flag}), "option '" + std::string(flag) + "' needs a value");
    }
  }

  TEST_CASE("the value of a flag may start with a dash") {
    check_usage_error(parse({"--limit", "--sync", "Adele"}),
                      "--limit: '--sync' is not an integer from 1 to 200");
    CHECK(parse({"--sort", "-x", "Adele"}).opts.query.sort == "-x");
  }

  TEST_CASE("unknown options are named") {
    check_usage_error(parse({"--foo", "Adele"}), "unknown option '--foo'");
    check_usage_error(parse({"--foo=bar", "Adele"}), "unknown option '--foo'");
    check_usage_error(parse({"-x", "Adele"}), "unknown option '-x'");
    check_usage_error(parse({"-hV", "Adele"}), "unknown option '-hV'");
    check_usage_error(parse({"--lim", "5", "Adele"}), "unknown option '--lim'; did you mean --limit?");
    check_usage_error(parse({"--\x1b[31m", "Adele"}), "unknown option '--\\x1B[31m'");
  }

  TEST_CASE("an unknown option suggests the closest one") {
    check_usage_error(parse({"--lmit", "3", "Adele"}), "unknown option '--lmit'; did you mean --limit?");
    check_usage_error(parse({"--colour=never", "Adele"}), "unknown option '--colour'; did you mean --color?");
    check_usage_error(parse({"--no-cach", "Adele"}), "unknown option '--no-cach'; did you mean --no-cache?");
    check_usage_error(parse({"--time-out", "3", "Adele"}), "unknown option '--time-out'; did you mean --timeout?");
    check_usage_error(parse({"--timeline-s", "x.svg", "Adele"}),
                      "unknown option '--timeline-s'; did you mean --timeline?");
    check_usage_error(parse({"--concur", "3", "Adele"}),
                      "unknown option '--concur'; did you mean --concurrency?");  // the only one it begins
    check_usage_error(parse({"--verbose", "Adele"}), "unknown option '--verbose'");  // nothing close
  }

  TEST_CASE("an option with an optional value never takes the next word") {
    check_usage_error(parse({"--stats", "json", "Lorde"}),
                      "option '--stats' takes its value attached: write --stats=json (or put -- before a name "
                      "'json')");
    check_usage_error(parse({"--color", "always", "Lorde"}),
                      "option '--color' takes its value attached: write --color=always (or put -- before a "
                      "name 'always')");
    check_usage_error(parse({"Lorde", "--color", "never"}),
                      "option '--color' takes its value attached: write --color=never (or put -- before a "
                      "name 'never')");
    // Attached, alone, or followed by a name that is no value of it: as before.
    cli::parse_outcome outcome = parse({"--stats=json", "--color", "Lorde"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.stats == cli::stats_format::json);
    CHECK(outcome.opts.color == cli::color_mode::always);
    CHECK(outcome.opts.artists == std::vector<std::string>{"Lorde"});
    outcome = parse({"--stats", "--", "json"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.stats == cli::stats_format::text);
    CHECK(outcome.opts.artists == std::vector<std::string>{"json"});
  }

  TEST_CASE("--no-cache overrides ARTISTFETCH_CACHE_DIR and --cache-dir; the later of the two wins") {
    test_support::temp_dir directory;
    std::string problem;
    cli::parse_outcome outcome = parse({"--no-cache", "Adele"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.no_cache);
    engine::run_plan plan = cli::make_run_plan(outcome.opts);
    CHECK(cli::open_configured_cache(outcome.opts, plan, directory.path().c_str(), problem) == nullptr);
    CHECK(problem.empty());
    outcome = parse({"--cache-dir", directory.path(), "--no-cache", "Adele"});
    CHECK(cli::open_configured_cache(outcome.opts, plan, nullptr, problem) == nullptr);
    outcome = parse({"--no-cache", "--cache-dir", directory.path(), "Adele"});
    CHECK(cli::open_configured_cache(outcome.opts, plan, nullptr, problem) != nullptr);
    outcome = parse({"Adele"});  // without it, the environment's directory is used
    CHECK(cli::open_configured_cache(outcome.opts, plan, directory.path().c_str(), problem) != nullptr);
  }

  TEST_CASE("switches refuse a value") {
    check_usage_error(parse({"--sync=1", "Adele"}), "option '--sync' takes no value");
    check_usage_error(parse({"--compare=", "Adele"}), "option '--compare' takes no value");
    check_usage_error(parse({"--help=yes"}), "option '--help' takes no value");
  }

  TEST_CASE("the equals form splits at the first equals sign") {
    const cli::parse_outcome outcome = parse({"--base-url=http://h/s?a=b", "--limit=7", "Adele"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.base_url == "http://h/s?a=b");
    CHECK(outcome.opts.query.limit == 7);
  }

  TEST_CASE("a later flag overrides an earlier one") {
    const cli::parse_outcome outcome =
        parse({"--limit", "3", "--limit=9", "--format", "json", "--format=table", "A"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.query.limit == 9);
    CHECK(outcome.opts.format == report::output_format::table);
  }

  TEST_CASE("options and names can be mixed in any order") {
    const cli::parse_outcome outcome = parse({"Adele", "--limit", "2", "Björk"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.artists == std::vector<std::string>{"Adele", "Björk"});
    CHECK(outcome.opts.query.limit == 2);
  }

  TEST_CASE("a double dash makes every later argument a name") {
    const cli::parse_outcome outcome = parse({"--limit", "2", "--", "--sync", "-x", "--", "Adele"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.artists == std::vector<std::string>{"--sync", "-x", "--", "Adele"});
    CHECK_FALSE(outcome.opts.sync);
    CHECK(outcome.opts.query.limit == 2);
  }

  TEST_CASE("a single dash is a name, not an option") {
    const cli::parse_outcome outcome = parse({"-"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.artists == std::vector<std::string>{"-"});
  }

  TEST_CASE("a name given twice is kept once at its first position") {
    const cli::parse_outcome outcome = parse({"Adele", "Björk", "adele", "Adele", "Björk", "Cher"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.artists == std::vector<std::string>{"Adele", "Björk", "adele", "Cher"});
  }

  TEST_CASE("--sync and --compare exclude each other") {
    check_usage_error(parse({"--sync", "--compare", "Adele"}), "--sync and --compare exclude each other");
    check_usage_error(parse({"--compare", "Adele", "--sync"}), "--sync and --compare exclude each other");
  }

  TEST_CASE("the backoff cap must not be below the backoff base") {
    check_usage_error(parse({"--backoff-base", "2", "--backoff-cap", "1", "Adele"}),
                      "--backoff-cap: 1 is less than the backoff base 2 (--backoff-cap must be at least "
                      "--backoff-base)");
    check_usage_error(parse({"--backoff-cap", "0.25", "Adele"}),
                      "--backoff-cap: 0.25 is less than the backoff base 0.5 (--backoff-cap must be at least "
                      "--backoff-base)");
    CHECK(parse({"--backoff-cap", "1", "--backoff-base", "1", "Adele"}).kind == cli::parse_outcome::run);
  }

  TEST_CASE("no names at all is a usage error") {
    check_usage_error(parse({}), "no artist names given");
    check_usage_error(parse({"--limit", "3"}), "no artist names given");
    temp_file empty("\n  \n\r\n");
    check_usage_error(parse({"--input", empty.path()}), "no artist names given");
  }

  TEST_CASE("help and version need no names") {
    CHECK(parse({"--help"}).kind == cli::parse_outcome::help);
    CHECK(parse({"-h"}).kind == cli::parse_outcome::help);
    CHECK(parse({"Adele", "--help", "--bogus"}).kind == cli::parse_outcome::help);
    CHECK(parse({"--version"}).kind == cli::parse_outcome::version);
    CHECK(parse({"-V"}).kind == cli::parse_outcome::version);
    CHECK(parse({"--", "--help"}).kind == cli::parse_outcome::run);
    // Arguments are handled in order, so an error before --help is reported.
    check_usage_error(parse({"--limit", "0", "--help"}), "--limit: '0' is not an integer from 1 to 200");
  }

  TEST_CASE("the environment base URL is used unless the flag is given") {
    CHECK(parse({"Adele"}, "http://127.0.0.1:9/search").opts.base_url == "http://127.0.0.1:9/search");
    CHECK(
        parse({"--base-url", "https://flag.example/s", "Adele"}, "http://127.0.0.1:9/search").opts.base_url ==
        "https://flag.example/s");
    CHECK(parse({"Adele"}, "").opts.base_url == "https://itunes.apple.com/search");
  }

  TEST_CASE("a bad environment base URL is reported only when it would be used") {
    check_usage_error(parse({"Adele"}, "localhost:8080"),
                      "ARTISTFETCH_BASE_URL: 'localhost:8080' does not start with http:// or https://");
    const cli::parse_outcome outcome = parse({"--base-url", "http://ok.example/", "Adele"}, "localhost:8080");
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.base_url == "http://ok.example/");
  }

  TEST_CASE("name_problem accepts ordinary names in any script") {
    CHECK(cli::name_problem("Adele") == "");
    CHECK(cli::name_problem("Beyoncé") == "");
    CHECK(cli::name_problem("坂本龍一") == "");
    CHECK(cli::name_problem("Sigur Rós") == "");
    CHECK(cli::name_problem("\xF0\x9F\x8E\xB8 emoji") == "");
    CHECK(cli::name_problem("\xF4\x8F\xBF\xBF") == "");  // U+10FFFF, the last code point
    CHECK(cli::name_problem(std::string(1000, 'a')) == "");
  }

  TEST_CASE("name_problem rejects empty, too long, invalid UTF-8 and control characters") {
    CHECK(cli::name_problem("") == "the name is empty");
    CHECK(cli::name_problem(std::string(1001, 'a')) == "the name is longer than 1000 bytes");
    CHECK(cli::name_problem("ab\xFF") == "invalid UTF-8 at byte 3");
    CHECK(cli::name_problem("\xC0\xAF") == "invalid UTF-8 at byte 1");          // overlong '/'
    CHECK(cli::name_problem("\xE0\x80\xAF") == "invalid UTF-8 at byte 1");      // overlong, three bytes
    CHECK(cli::name_problem("\xF0\x80\x80\xAF") == "invalid UTF-8 at byte 1");  // overlong, four bytes
    CHECK(cli::name_problem("x\xED\xA0\x80") == "invalid UTF-8 at byte 2");     // surrogate U+D800
    CHECK(cli::name_problem("\xF4\x90\x80\x80") == "invalid UTF-8 at byte 1");  // U+110000
    CHECK(cli::name_problem("\xE5\x9D") == "invalid UTF-8 at byte 1");          // truncated
    CHECK(cli::name_problem("\x80") == "invalid UTF-8 at byte 1");              // lone continuation
    CHECK(cli::name_problem("a\tb") == "control character U+0009 at byte 2");
    CHECK(cli::name_problem(std::string("a\0b", 3)) == "control character U+0000 at byte 2");
    CHECK(cli::name_problem("a\x7F") == "control character U+007F at byte 2");
    CHECK(cli::name_problem("a\xC2\x85") == "control character U+0085 at byte 2");  // C1 NEL
  }

  TEST_CASE("a bad name argument is named by position with its text escaped") {
    check_usage_error(parse({"Adele", ""}), "argument 2 \"\": the name is empty");
    check_usage_error(parse({"Adele", "   "}), "argument 2 \"   \": the name is blank");
    check_usage_error(parse({"--limit", "2", "Bj\x01rk"}),
                      "argument 3 \"Bj\\x01rk\": control character U+0001 at byte 3");
    check_usage_error(parse({"a\nb"}), "argument 1 \"a\\nb\": control character U+000A at byte 2");
    check_usage_error(parse({"\"q\"\xFF"}), "argument 1 \"\\\"q\\\"\\xFF\": invalid UTF-8 at byte 4");
    const cli::parse_outcome long_name = parse({std::string(1001, 'a')});
    check_usage_error(long_name,
                      "argument 1 \"" + std::string(60, 'a') + "...\": the name is longer than 1000 bytes");
  }

  TEST_CASE("--input reads names after the arguments, skipping blank lines and CRLF endings") {
    temp_file names(
        "\xEF\xBB\xBF"
        "Cher\r\n\r\n   \nAdele\n\t\nBeyoncé\r\n坂本龍一\nCher\nLast without newline");
    const cli::parse_outcome outcome = parse({"--input", names.path(), "Adele", "Björk"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.artists ==
          std::vector<std::string>{"Adele", "Björk", "Cher", "Beyoncé", "坂本龍一", "Last without newline"});
  }

  TEST_CASE("several --input files are read in order") {
    temp_file first("B\nA\n");
    temp_file second("C\nB\n");
    const cli::parse_outcome outcome = parse({"--input=" + second.path(), "--input", first.path(), "Z"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.artists == std::vector<std::string>{"Z", "C", "B", "A"});
  }

  TEST_CASE("--input - reads standard input") {
    const cli::parse_outcome outcome = parse({"--input", "-", "Adele"}, nullptr, "Cher\r\nAdele\n\nBjörk\n");
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK(outcome.opts.artists == std::vector<std::string>{"Adele", "Cher", "Björk"});
    check_usage_error(parse({"--input", "-"}, nullptr, "ok\nbad\x01\n"),
                      "stdin line 2 \"bad\\x01\": control character U+0001 at byte 4");
  }

  TEST_CASE("a bad line in an --input file is reported with the file and line number") {
    temp_file names("Adele\n\nBad\x7Fname\n");
    check_usage_error(parse({"--input", names.path()}),
                      names.path() + " line 3 \"Bad\\x7Fname\": control character U+007F at byte 4");
    temp_file invalid("ok\n\xC3\x28\n");
    check_usage_error(parse({"--input", invalid.path()}),
                      invalid.path() + " line 2 \"\\xC3(\": invalid UTF-8 at byte 1");
  }

  TEST_CASE("an --input file that cannot be read is a usage error") {
    check_usage_error(parse({"--input", "/nonexistent/names.txt", "A"}),
                      "--input: cannot open '/nonexistent/names.txt': No such file or directory");
    check_usage_error(parse({"--input", "/tmp", "A"}), "--input: cannot read '/tmp': it is a directory");
  }

  TEST_CASE("read_name_lines stops at a line longer than any valid name") {
    text::name_list names;
    std::istringstream exactly_1000(std::string(1000, 'x') + "\r\nnext\n");
    CHECK(cli::read_name_lines(exactly_1000, "in", names) == "");
    REQUIRE(names.size() == 2);
    CHECK(names[0].size() == 1000);

    names.clear();
    std::istringstream one_too_many("ok\n" + std::string(1001, 'x') + "\n");
    const std::string quoted_start = "\"" + std::string(60, 'x') + "...\"";
    CHECK(cli::read_name_lines(one_too_many, "in", names) ==
          "in line 2 " + quoted_start + ": the name is longer than 1000 bytes");
    std::istringstream endless(std::string(1u << 20, 'x'));
    CHECK(cli::read_name_lines(endless, "in", names) ==
          "in line 1 " + quoted_start + ": the name is longer than 1000 bytes");
    // The endless line was not read to its end.
    CHECK(endless.tellg() < 2000);
  }

  TEST_CASE("read_name_lines keeps inner and edge spaces of a name") {
    text::name_list names;
    std::istringstream in(" Sigur Rós \n\nAC/DC");
    CHECK(cli::read_name_lines(in, "in", names) == "");
    CHECK(names == std::vector<std::string>{" Sigur Rós ", "AC/DC"});
  }

}

TEST_SUITE("run plan") {
  TEST_CASE("the plan owns the names and the resolved defaults, whichever way it is made") {
    cli::parse_outcome parsed = parse({"--base-url", "https://ITUNES.apple.com/search", "Lorde", "Adele"});
    REQUIRE(parsed.kind == cli::parse_outcome::run);
    const engine::run_plan copied = cli::make_run_plan(parsed.opts);
    CHECK(copied.artists == std::vector<std::string>{"Lorde", "Adele"});
    CHECK(copied.https);
    CHECK(copied.rate_per_min == 20);  // the real API's documented limit
    CHECK(parsed.opts.artists.size() == 2);

    const engine::run_plan taken = cli::take_run_plan(parsed.opts);
    CHECK(taken.artists == copied.artists);
    CHECK(taken.retry.statuses == copied.retry.statuses);
    CHECK(taken.rate_per_min == copied.rate_per_min);
    CHECK(parsed.opts.artists.empty());  // moved, not copied
  }
}

// Tests of the option values (src/cli/option_values.cpp): matching, streaming, the cache, progress,
// statistics, timelines and colors.
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
#include "support/parse_arguments.hpp"

namespace {

using test_support::check_usage_error;
using test_support::parse;

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("options: matching, streaming, cache") {
  TEST_CASE("--match, --stream, --cache-dir and --cache-ttl default to exact, off, none and 24 h") {
    const cli::options opts = parse({"Adele"}).opts;
    CHECK(opts.match == itunes::match_mode::exact);
    CHECK_FALSE(opts.stream);
    CHECK(opts.cache_dir.empty());
    CHECK(opts.cache_ttl_s == 86400);
  }

  TEST_CASE("--match takes exact, bytes or nocase") {
    CHECK(parse({"A"}).opts.match == itunes::match_mode::exact);
    CHECK(parse({"--match", "nocase", "A"}).opts.match == itunes::match_mode::nocase);
    CHECK(parse({"--match=exact", "A"}).opts.match == itunes::match_mode::exact);
    CHECK(parse({"--match", "bytes", "A"}).opts.match == itunes::match_mode::bytes);
    check_usage_error(parse({"--match", "NOCASE", "A"}), "--match: 'NOCASE' is not one of exact, bytes, nocase");
    check_usage_error(parse({"--match", "", "A"}), "--match: '' is not one of exact, bytes, nocase");
    check_usage_error(parse({"A", "--match"}), "option '--match' needs a value");
  }

  TEST_CASE("--stream needs ndjson and excludes --compare") {
    CHECK(parse({"--stream", "A"}).opts.stream);
    CHECK(parse({"--stream", "--format", "ndjson", "A"}).kind == cli::parse_outcome::run);
    CHECK(parse({"--stream", "--sync", "A"}).kind == cli::parse_outcome::run);
    check_usage_error(parse({"--stream", "--format", "table", "A"}),
                      "--stream prints ndjson only: drop --format or use --format ndjson");
    check_usage_error(parse({"--format=json", "--stream", "A"}),
                      "--stream prints ndjson only: drop --format or use --format ndjson");
    check_usage_error(parse({"--stream", "--compare", "A"}), "--stream and --compare exclude each other");
    check_usage_error(parse({"--stream=yes", "A"}), "option '--stream' takes no value");
  }

  TEST_CASE("--cache-dir takes any non-empty path, without touching it") {
    CHECK(parse({"--cache-dir", "/nonexistent/cache", "A"}).opts.cache_dir == "/nonexistent/cache");
    CHECK(parse({"--cache-dir=relative dir", "A"}).opts.cache_dir == "relative dir");
    check_usage_error(parse({"--cache-dir", "", "A"}), "--cache-dir: the directory name is empty");
  }

  TEST_CASE("--cache-ttl takes seconds or a number with s, m, h or d") {
    struct ttl_case {
      const char *text;
      long long seconds;
    };
    for (const ttl_case &each : {ttl_case{"0", 0}, ttl_case{"90", 90}, ttl_case{"90s", 90}, ttl_case{"30m", 1800},
                                 ttl_case{"24h", 86400}, ttl_case{"7d", 604800}, ttl_case{"0d", 0},
                                 ttl_case{"3650d", 315360000}, ttl_case{"315360000", 315360000}}) {
      CAPTURE(each.text);
      const cli::parse_outcome outcome = parse({"--cache-ttl", each.text, "A"});
      REQUIRE(outcome.kind == cli::parse_outcome::run);
      CHECK(outcome.opts.cache_ttl_s == each.seconds);
    }
    for (const char *bad : {"", "h", "-1", "1.5h", "1H", "1w", " 1", "1 h", "3651d", "315360001", "1e3",
                            "99999999999999999999"}) {
      CAPTURE(bad);
      const cli::parse_outcome outcome = parse({"--cache-ttl", bad, "A"});
      CHECK(outcome.kind == cli::parse_outcome::usage_error);
      CHECK(outcome.message.rfind("--cache-ttl: '", 0) == 0);
      CHECK(contains(outcome.message, "is not a duration"));
    }
  }

}

TEST_SUITE("options: progress, stats, timeline, colors") {
  TEST_CASE("progress, stats, timeline and colors are off or automatic by default") {
    const cli::parse_outcome outcome = parse({"A"});
    REQUIRE(outcome.kind == cli::parse_outcome::run);
    CHECK_FALSE(outcome.opts.progress.has_value());
    CHECK_FALSE(outcome.opts.quiet);
    CHECK(outcome.opts.color == report::color_mode::automatic);
    CHECK(outcome.opts.stats == report::stats_format::none);
    CHECK_FALSE(outcome.opts.timeline);
    CHECK(outcome.opts.timeline_svg.empty());
  }

  TEST_CASE("--progress, --no-progress and --quiet set their switches, the last progress flag winning") {
    CHECK(parse({"--progress", "A"}).opts.progress == true);
    CHECK(parse({"--no-progress", "A"}).opts.progress == false);
    CHECK(parse({"--no-progress", "--progress", "A"}).opts.progress == true);
    CHECK(parse({"--quiet", "A"}).opts.quiet);
    CHECK(parse({"-q", "A"}).opts.quiet);
    CHECK_FALSE(parse({"-q", "A"}).opts.progress.has_value());
    check_usage_error(parse({"--progress=yes", "A"}), "option '--progress' takes no value");
    check_usage_error(parse({"--quiet=1", "A"}), "option '--quiet' takes no value");
  }

  TEST_CASE("--color takes auto, always or never after '=', and means always alone") {
    CHECK(parse({"--color", "A"}).opts.color == report::color_mode::always);
    CHECK(parse({"--color=always", "A"}).opts.color == report::color_mode::always);
    CHECK(parse({"--color=never", "A"}).opts.color == report::color_mode::never);
    CHECK(parse({"--color=never", "--color=auto", "A"}).opts.color == report::color_mode::automatic);
    // The value is never taken from the next argument; one of its values there is refused, not looked up.
    check_usage_error(parse({"--color", "never"}), "option '--color' takes its value attached: write "
                                                   "--color=never (or put -- before a name 'never')");
    const cli::parse_outcome separate = parse({"--color", "--", "never"});
    REQUIRE(separate.kind == cli::parse_outcome::run);
    CHECK(separate.opts.color == report::color_mode::always);
    CHECK(separate.opts.artists == std::vector<std::string>{"never"});
    check_usage_error(parse({"--color=", "A"}), "--color: '' is not one of auto, always, never");
    check_usage_error(parse({"--color=yes", "A"}), "--color: 'yes' is not one of auto, always, never");
    check_usage_error(parse({"--color=AUTO", "A"}), "--color: 'AUTO' is not one of auto, always, never");
  }

  TEST_CASE("--stats is text alone and json with '=json'") {
    CHECK(parse({"--stats", "A"}).opts.stats == report::stats_format::text);
    CHECK(parse({"--stats=text", "A"}).opts.stats == report::stats_format::text);
    CHECK(parse({"--stats=json", "A"}).opts.stats == report::stats_format::json);
    check_usage_error(parse({"--stats", "json"}), "option '--stats' takes its value attached: write "
                                                  "--stats=json (or put -- before a name 'json')");
    const cli::parse_outcome separate = parse({"--stats", "--", "json"});
    REQUIRE(separate.kind == cli::parse_outcome::run);
    CHECK(separate.opts.stats == report::stats_format::text);
    CHECK(separate.opts.artists == std::vector<std::string>{"json"});
    check_usage_error(parse({"--stats=xml", "A"}), "--stats: 'xml' is not one of text, json");
    check_usage_error(parse({"--stats=", "A"}), "--stats: '' is not one of text, json");
  }

  TEST_CASE("--timeline is a switch and --timeline-svg needs a file name") {
    CHECK(parse({"--timeline", "A"}).opts.timeline);
    CHECK(parse({"--timeline-svg", "out.svg", "A"}).opts.timeline_svg == "out.svg");
    CHECK(parse({"--timeline-svg=-x.svg", "A"}).opts.timeline_svg == "-x.svg");
    CHECK_FALSE(parse({"--timeline-svg", "out.svg", "A"}).opts.timeline);
    check_usage_error(parse({"--timeline=yes", "A"}), "option '--timeline' takes no value");
    check_usage_error(parse({"--timeline-svg", "", "A"}), "--timeline-svg: the file name is empty");
    check_usage_error(parse({"A", "--timeline-svg"}), "option '--timeline-svg' needs a value");
  }

}

// Tests of src/cli's option documentation and diagnostics: --help from the option table, and the messages
// artistfetch writes about itself. The man page and completion are checked in test_cli_install.cpp.
#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "cli/diagnostics.hpp"
#include "cli/option_docs.hpp"
#include "cli/option_table.hpp"
#include "text/width.hpp"

namespace {

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// The help text with every run of spaces and line breaks made one space: phrases are wrapped anywhere.
std::string flattened(const std::string &text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

// What a diagnostics object wrote to its stream.
std::string written_by(void (*write)(const cli::diagnostics &), bool quiet) {
  std::FILE *file = std::tmpfile();
  REQUIRE(file != nullptr);
  cli::diagnostics say(file);
  say.set_quiet(quiet);
  write(say);
  std::rewind(file);
  std::string text;
  char buffer[256];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, file)) > 0;) text.append(buffer, got);
  std::fclose(file);
  return text;
}

}  // namespace

TEST_SUITE("option docs") {
  TEST_CASE("the help text lists every option, format, exit code and the environment variable") {
    const std::string help = flattened(cli::help_text());
    CHECK(help.rfind("Usage: artistfetch [options] NAME... ", 0) == 0);
    for (const char *part : {"--base-url",
                             "--entity",
                             "--limit",
                             "--sort",
                             "--country",
                             "--sync",
                             "--compare",
                             "--concurrency",
                             "--timeout",
                             "--connect-timeout",
                             "--stall-timeout",
                             "--cacert",
                             "--format",
                             "--input",
                             "--retries",
                             "--retry-on",
                             "--backoff-base",
                             "--backoff-cap",
                             "--max-retry-after",
                             "--rate",
                             "--max-body",
                             "-h, --help",
                             "-V, --version",
                             "ndjson",
                             "json",
                             "table",
                             "ARTISTFETCH_BASE_URL",
                             "130",
                             "143",
                             "(default: 50)",
                             "(default: 30)",
                             "(default: 10)",
                             "(default: 5)",
                             "(default: album)",
                             "(default: recent)",
                             "(default: 3)",
                             "(default: 0.5)",
                             "(default: 60)",
                             "(default: 8M)",
                             "408,429,500,502,503,504, plus 403 for itunes.apple.com"}) {
      CAPTURE(part);
      CHECK(contains(help, part));
    }
    // Every line is short, free of trailing spaces, and option descriptions start in one column.
    std::istringstream lines(cli::help_text());
    std::string line;
    while (std::getline(lines, line)) {
      CAPTURE(line);
      CHECK(line.size() <= 100);
      CHECK((line.empty() || line.back() != ' '));
      if (line.rfind("  -", 0) == 0) {
        CHECK(line.size() > 29);
        CHECK(line[28] == ' ');
        CHECK(line[29] != ' ');
      }
    }
    CHECK(cli::help_text().back() == '\n');
  }

  TEST_CASE("--help fits 80 columns and names every option of the table") {
    const std::string help = cli::help_text();
    std::size_t start = 0;
    while (start < help.size()) {
      const std::size_t end = help.find('\n', start);
      const std::string line = help.substr(start, end - start);
      CAPTURE(line);
      CHECK(text::display_width(line) <= 80);
      start = end == std::string::npos ? help.size() : end + 1;
    }
    for (const cli::option_spec &spec : cli::option_table()) {
      CAPTURE(spec.name);
      CHECK(contains(help, "  " + std::string(spec.short_name.empty() ? spec.name : spec.short_name)));
    }
  }

  TEST_CASE("--help documents matching, streaming and the cache") {
    const std::string help = flattened(cli::help_text());
    for (const char *part : {"--match MODE", "nocase", "--stream", "completion order", "--cache-dir DIR",
                             "--cache-ttl DURATION", "(default: 24h)", "\"attempts\":0", "ARTISTFETCH_CACHE_DIR",
                             "suggestions", "did you mean", "--sync and --compare never read or write it"}) {
      CAPTURE(part);
      CHECK(contains(help, part));
    }
  }

  TEST_CASE("--help documents progress, stats, timelines and colors") {
    const std::string help = flattened(cli::help_text());
    for (const char *part : {"--progress", "--no-progress", "-q, --quiet", "--stats[=FORMAT]", "--timeline ",
                             "--timeline-svg FILE", "--color[=WHEN]", "auto", "always", "never", "NO_COLOR",
                             "p50/p90/p99/max", "DNS, connect, TLS", "first byte", "requests per second", "ETA",
                             "only ever drawn when stderr", "(default: auto)", "one JSON object",
                             "the sync run above the async run"}) {
      CAPTURE(part);
      CHECK(contains(help, part));
    }
  }
}

TEST_SUITE("diagnostics") {
  TEST_CASE("errors and warnings carry the program's name, and --quiet drops warnings only") {
    auto error = [](const cli::diagnostics &say) { say.error("no artist names given"); };
    auto warning = [](const cli::diagnostics &say) { say.warning("the cache is full"); };
    auto usage = [](const cli::diagnostics &say) { say.usage_error("unknown option '--x'"); };
    CHECK(written_by(error, false) == "artistfetch: no artist names given\n");
    CHECK(written_by(error, true) == "artistfetch: no artist names given\n");
    CHECK(written_by(warning, false) == "artistfetch: warning: the cache is full\n");
    CHECK(written_by(warning, true).empty());
    CHECK(written_by(usage, true) ==
          "artistfetch: unknown option '--x'\nTry 'artistfetch --help' for more information.\n");
  }
}

// artistfetch end to end on a terminal and on pipes: the progress bar and the table's colors appear only on
// a terminal (a pseudo-terminal here) and never with NO_COLOR; --timeline, --timeline-svg and --stats against
// the fixture server.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "report/output.hpp"
#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"
#include "text/escape.hpp"
#include "text/width.hpp"

extern char **environ;

namespace {

using test_support::run_artistfetch;

using test_support::lines_of;
using test_support::read_file;

using test_support::command_result;
using test_support::fixture_server;

const std::string wait_glyph = "\xE2\x96\x91";
const std::string full_glyph = "\xE2\x96\x88";
const std::string tick_glyph = "\xE2\x94\xAC";

struct pty_result {
  int exit_code = -1;  // the exit status, or 128 + the signal number
  std::string output;  // stdout and stderr together, as the terminal received them
  bool timed_out = false;
};

// Runs artistfetch with `args` on a new pseudo-terminal, `columns` wide and in raw mode (no "\r\n"
// translation), as its stdin, stdout and stderr and its controlling terminal. `env` entries "K=V" replace K
// in the environment, a bare "K" removes it; NO_COLOR and COLUMNS are always removed first. The child is
// killed after `timeout_s`; should this test process die, closing the terminal's master side hangs the child
// up.
pty_result run_in_pty(const std::vector<std::string> &args, const std::vector<std::string> &env = {},
                      double timeout_s = 60, unsigned short columns = 100) {
  std::vector<std::string> argv_text{test_support::program_path()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<std::string> env_text;
  auto overridden = [&](const std::string &entry) {
    const std::string key = entry.substr(0, entry.find('='));
    if (key == "NO_COLOR" || key == "COLUMNS") return true;
    for (const std::string &change : env)
      if (change.substr(0, change.find('=')) == key) return true;
    return false;
  };
  for (char **entry = environ; *entry != nullptr; ++entry)
    if (!overridden(*entry)) env_text.emplace_back(*entry);
  for (const std::string &change : env)
    if (change.find('=') != std::string::npos) env_text.push_back(change);
  // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
  std::vector<char *> argv, envp;
  for (std::string &each : argv_text) argv.push_back(each.data());
  argv.push_back(nullptr);
  for (std::string &each : env_text) envp.push_back(each.data());
  envp.push_back(nullptr);

  struct termios mode {};
  cfmakeraw(&mode);
  struct winsize size {};
  size.ws_col = columns;
  size.ws_row = 40;
  int master = -1, slave = -1;
  REQUIRE(openpty(&master, &slave, nullptr, &mode, &size) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    setsid();
    ioctl(slave, TIOCSCTTY, 0);
    dup2(slave, STDIN_FILENO);
    dup2(slave, STDOUT_FILENO);
    dup2(slave, STDERR_FILENO);
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    signal(SIGPIPE, SIG_DFL);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(slave);

  pty_result result;
  const auto start = std::chrono::steady_clock::now();
  char buffer[4096];
  for (;;) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > timeout_s && !result.timed_out) {
      kill(pid, SIGKILL);
      result.timed_out = true;
    }
    struct pollfd watched {};
    watched.fd = master;
    watched.events = POLLIN;
    if (poll(&watched, 1, 100) < 0 && errno != EINTR) break;
    if (watched.revents == 0) continue;
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n > 0) {
      result.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;  // EIO: every descriptor of the terminal's slave side is closed
    }
  }
  close(master);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

// The timeline's rows for `label`: the lines after its heading, up to the next heading or the axis.
std::vector<std::string> rows_of(const std::vector<std::string> &lines, const std::string &label) {
  std::vector<std::string> rows;
  bool inside = false;
  for (const std::string &line : lines) {
    if (line.rfind(label + ": ", 0) == 0) {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (line.rfind("sync: ", 0) == 0 || line.rfind("async: ", 0) == 0 || contains(line, tick_glyph)) break;
    rows.push_back(line);
  }
  return rows;
}

// The display column where a timeline row's bar begins.
std::size_t bar_start(const std::string &row) {
  std::size_t at = row.size();
  for (const std::string &glyph : {wait_glyph, full_glyph, std::string("\xE2\x96\x8F")}) {
    const std::size_t found = row.find(glyph, 21);
    if (found != std::string::npos) at = std::min(at, found);
  }
  REQUIRE(at != row.size());
  return text::display_width(row.substr(0, at));
}

std::string temp_path(const std::string &suffix) {
  char path[] = "/tmp/artistfetch-terminal-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  const std::string with_suffix = std::string(path) + suffix;
  std::rename(path, with_suffix.c_str());
  return with_suffix;
}

std::size_t count_of(const std::string &text, const std::string &part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
    ++count;
  return count;
}

const char *const progress_erase = "\r\x1b[K";

// Runs python3's XML parser on `svg` with `root` (the document), `ns` (the SVG namespace) and `groups` (the
// <g class="request ..."> elements) defined, then `script`; returns its stdout, its error, or "skipped"
// without python3.
std::string python_on_svg(const std::string &svg, const std::string &script) {
  if (access("/usr/bin/python3", X_OK) != 0) return "skipped";
  const std::string prelude =
      "import sys, xml.etree.ElementTree as E\n"
      "root = E.fromstring(sys.stdin.buffer.read())\n"
      "ns = '{http://www.w3.org/2000/svg}'\n"
      "groups = [g for g in root.iter(ns + 'g') if g.get('class', '').split()[:1] == ['request']]\n";
  command_result parsed = test_support::run_command({"/usr/bin/python3", "-c", prelude + script}, svg, 30);
  return parsed.exit_code == 0 ? parsed.out : parsed.err;
}

}  // namespace

TEST_SUITE("terminal") {
  TEST_CASE("on a terminal the progress bar is drawn, then erased, and the table is colored") {
    fixture_server server({"--latency-ms", "100"});
    pty_result run = run_in_pty({"--base-url", server.base_url(), "--concurrency", "2", "Lorde", "Dua Lipa",
                                 "@404 Gone", "@none Nobody"});
    CAPTURE(run.output);
    CHECK_FALSE(run.timed_out);
    CHECK(run.exit_code == 1);  // @404 Gone failed
    // The bar: drawn in place with the counts, then erased before the table.
    CHECK(contains(run.output, "\r["));
    CHECK(contains(run.output, "/4 "));
    CHECK(contains(run.output, " req/s ETA "));
    CHECK(contains(run.output, "\x1b[K"));
    const std::size_t table = run.output.find("\x1b[1mARTIST\x1b[0m");
    REQUIRE(table != std::string::npos);
    const std::size_t last_erase = run.output.rfind(progress_erase);
    REQUIRE(last_erase != std::string::npos);
    CHECK(last_erase < table);
    CHECK(run.output.rfind("req/s") < last_erase);
    // The colors: a bold header, a red error row, a yellow row without a match.
    CHECK(contains(run.output, "\x1b[31m@404 Gone\x1b[0m"));
    CHECK(contains(run.output, "\x1b[33m@none Nobody\x1b[0m"));
    CHECK(contains(run.output, "Melodrama"));
  }

  TEST_CASE("on pipes there is neither a progress bar nor color, whatever the progress flags say") {
    fixture_server server;
    for (const char *flag : {"--format=table", "--progress", "--color=auto"}) {
      CAPTURE(flag);
      command_result result = run_artistfetch(
          {"--base-url", server.base_url(), "--format", "table", flag, "Lorde", "@404 Gone", "@none Nobody"});
      CHECK(result.exit_code == 1);
      CHECK(contains(result.out, "ARTIST"));
      CHECK_FALSE(contains(result.out, "\x1b"));
      CHECK_FALSE(contains(result.err, "\x1b"));
      CHECK_FALSE(contains(result.err, "\r"));
      CHECK_FALSE(contains(result.err, "req/s"));
    }
    // --color=always is a request for colors wherever the output goes; the bar still needs a terminal.
    command_result forced = run_artistfetch(
        {"--base-url", server.base_url(), "--format", "table", "--color=always", "--progress", "Lorde"});
    CHECK(forced.exit_code == 0);
    CHECK(contains(forced.out, "\x1b[1mARTIST"));
    CHECK(forced.err.empty());
  }

  TEST_CASE("NO_COLOR on a terminal turns the colors off, not the progress bar") {
    fixture_server server({"--latency-ms", "50"});
    pty_result run = run_in_pty({"--base-url", server.base_url(), "Lorde", "@404 Gone"}, {"NO_COLOR=1"});
    CAPTURE(run.output);
    CHECK(run.exit_code == 1);
    CHECK(contains(run.output, "ARTIST"));
    CHECK_FALSE(contains(run.output, "\x1b[1m"));
    CHECK_FALSE(contains(run.output, "\x1b[31m"));
    CHECK_FALSE(contains(run.output, "\x1b[0m"));
    CHECK(contains(run.output, "req/s"));

    pty_result empty_value = run_in_pty({"--base-url", server.base_url(), "Lorde"}, {"NO_COLOR="});
    CHECK(contains(empty_value.output, "\x1b[1mARTIST"));  // an empty NO_COLOR does not count

    pty_result forced = run_in_pty({"--base-url", server.base_url(), "--color", "Lorde"}, {"NO_COLOR=1"});
    CHECK(contains(forced.output, "\x1b[1mARTIST"));

    pty_result never = run_in_pty({"--base-url", server.base_url(), "--color=never", "Lorde"});
    CHECK(contains(never.output, "ARTIST"));
    CHECK_FALSE(contains(never.output, "\x1b[1m"));
  }

  TEST_CASE(
      "--no-progress and --quiet keep the terminal free of the bar, --quiet --progress brings it back") {
    fixture_server server;
    for (const char *flag : {"--no-progress", "--quiet", "-q"}) {
      CAPTURE(flag);
      pty_result run = run_in_pty({"--base-url", server.base_url(), flag, "Lorde", "Dua Lipa"});
      CHECK(run.exit_code == 0);
      CHECK(contains(run.output, "ARTIST"));
      CHECK_FALSE(contains(run.output, "req/s"));
      CHECK_FALSE(contains(run.output, "\x1b[K"));
    }
    pty_result both = run_in_pty({"--base-url", server.base_url(), "--quiet", "--progress", "Lorde"});
    CHECK(contains(both.output, "req/s"));
  }

  TEST_CASE("--compare on a terminal draws one bar per run and keeps its timing table") {
    fixture_server server({"--latency-ms", "50"});
    pty_result run = run_in_pty({"--base-url", server.base_url(), "--compare", "--quiet", "--progress",
                                 "Lorde", "Dua Lipa", "AC/DC"});
    CAPTURE(run.output);
    CHECK(run.exit_code == 0);
    CHECK(contains(run.output, "\rsync ["));
    CHECK(contains(run.output, "\rasync ["));
    CHECK(contains(run.output, "speedup"));
    CHECK(run.output.rfind("req/s") < run.output.rfind(progress_erase));
  }

  TEST_CASE("--timeline draws a row per request, a retried artist on two rows") {
    fixture_server server({"--latency-ms", "20"});
    command_result result = run_artistfetch({"--base-url", server.base_url(), "--timeline", "--backoff-base",
                                             "0.01", "Lorde", "Dua Lipa", "@503once Retry Me"});
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    CHECK(lines_of(result.out).size() == 3);
    const std::vector<std::string> lines = lines_of(result.err);
    REQUIRE(!lines.empty());
    CHECK(lines[0].rfind("async: 4 requests", 0) == 0);
    const std::vector<std::string> rows = rows_of(lines, "async");
    CHECK(static_cast<long>(rows.size()) == server.total_requests());
    std::size_t retried = 0;
    for (const std::string &row : rows) {
      CAPTURE(row);
      CHECK(text::display_width(row) <= 80);
      if (row.rfind("@503once Retry Me", 0) == 0) ++retried;
      CHECK((contains(row, wait_glyph) || contains(row, full_glyph) || contains(row, "\xE2\x96")));
    }
    CHECK(retried == 2);
    CHECK(count_of(result.err, "@503once Retry Me #2") == 1);
    CHECK(count_of(result.err, "HTTP 503") == 1);
    // The axis and its labels close the picture.
    REQUIRE(lines.size() == 1 + rows.size() + 3);
    CHECK(contains(lines[lines.size() - 3], tick_glyph));
    CHECK(lines[lines.size() - 2].find('0') == 21);
    CHECK(contains(lines.back(), "waiting for the first byte"));
  }

  TEST_CASE("--timeline with --compare shows the sync staircase above the async stack") {
    fixture_server server({"--latency-ms", "100"});
    command_result result = run_artistfetch({"--base-url", server.base_url(), "--compare", "--timeline",
                                             "Lorde", "Dua Lipa", "AC/DC", "Beyoncé"});
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    const std::vector<std::string> lines = lines_of(result.err);
    const std::vector<std::string> sync_rows = rows_of(lines, "sync");
    const std::vector<std::string> async_rows = rows_of(lines, "async");
    REQUIRE(sync_rows.size() == 4);
    REQUIRE(async_rows.size() == 4);
    CHECK(static_cast<long>(sync_rows.size() + async_rows.size()) == server.total_requests());
    std::size_t sync_heading = 0, async_heading = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].rfind("sync: ", 0) == 0) sync_heading = i;
      if (lines[i].rfind("async: ", 0) == 0) async_heading = i;
    }
    CHECK(sync_heading < async_heading);
    // One after another: each sync request starts later than the one before; the async ones start together,
    // at the left, on the same scale.
    for (std::size_t i = 1; i < sync_rows.size(); ++i)
      CHECK(bar_start(sync_rows[i]) > bar_start(sync_rows[i - 1]));
    CHECK(bar_start(sync_rows.back()) > 21 + 20);
    for (const std::string &row : async_rows) CHECK(bar_start(row) <= 22);
  }

  TEST_CASE("--timeline-svg writes a well-formed SVG with one request group per request") {
    fixture_server server;
    const std::string path = temp_path(".svg");
    command_result result =
        run_artistfetch({"--base-url", server.base_url(), "--timeline-svg", path, "--backoff-base", "0.01",
                         "Tom & Jerry <live>", "Lorde", "@503once Svg"});
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    const std::string svg = read_file(path);
    std::remove(path.c_str());
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(static_cast<long>(count_of(svg, "<g class=\"request")) == server.total_requests());
    CHECK(count_of(svg, "<g class=\"request") == 4);
    CHECK(contains(svg, "Tom &amp; Jerry &lt;live&gt;"));
    const std::string parsed =
        python_on_svg(svg, "print(len(groups), sum(len(g.findall(ns + 'rect')) for g in groups))\n");
    if (parsed != "skipped") CHECK(parsed == "4 8\n");
  }

  TEST_CASE("requests that failed after a 200 are drawn failed, with their error, in the SVG and the text") {
    fixture_server server;
    const std::string path = temp_path(".svg");
    command_result result = run_artistfetch({"--base-url", server.base_url(), "--timeline", "--timeline-svg",
                                             path, "--retries", "0", "Lorde", "@reset-after-headers Cut",
                                             "@badjson Junk", "@short Half", "@404 Gone"});
    CAPTURE(result.err);
    CHECK(result.exit_code == 1);
    const std::string svg = read_file(path);
    std::remove(path.c_str());
    CHECK(count_of(svg, "<g class=\"request failed\">") == 4);
    CHECK(count_of(svg, "<g class=\"request\">") == 1);
    CHECK(count_of(svg, "<rect class=\"swatch\"") == 3);
    CHECK(contains(svg, ">seconds since start</text>"));
    const auto tooltip = [&svg](const std::string &name) {
      const std::size_t at = svg.find("<title>" + name + ":");
      return at == std::string::npos ? std::string() : svg.substr(at, svg.find("</title>", at) - at);
    };
    CHECK(contains(tooltip("@reset-after-headers Cut"), "(curl error"));
    CHECK(contains(tooltip("@badjson Junk"), "not valid JSON"));
    CHECK(contains(tooltip("@short Half"), "(curl error"));
    CHECK(contains(tooltip("@404 Gone"), "HTTP 404"));
    CHECK(contains(tooltip("Lorde"), "HTTP 200"));
    for (const char *name : {"@reset-after-headers Cut", "@badjson Junk", "@short Half"})
      CHECK_FALSE(contains(tooltip(name), "HTTP 200"));
    const std::string parsed = python_on_svg(
        svg,
        "failed = [g for g in groups if g.get('class') == 'request failed']\n"
        "red = [r for g in failed for r in g.findall(ns + 'rect') if r.get('fill') == '#c0392b' and "
        "float(r.get('width')) >= 4]\n"
        "legend = [g for g in root.iter(ns + 'g') if g.get('class') == 'legend']\n"
        "print(len(groups), len(failed), len(red), len(legend))\n");
    if (parsed != "skipped") CHECK(parsed == "5 4 4 1\n");
    // The text timeline names each error after its bar.
    for (const std::string &line : lines_of(result.err)) {
      if (line.rfind("@badjson Junk ", 0) == 0) CHECK(contains(line, "response is not valid"));
      if (line.rfind("@reset-after-header", 0) == 0) CHECK(contains(line, "Recv failure"));
      if (line.rfind("@404 Gone ", 0) == 0) CHECK(contains(line, "HTTP 404"));
      if (line.rfind("Lorde ", 0) == 0) CHECK_FALSE(contains(line, "HTTP"));
    }
  }

  TEST_CASE("--stats counts an artist's retries and Retry-After wait in its time") {
    fixture_server server;
    command_result result =
        run_artistfetch({"--base-url", server.base_url(), "--stats=json", "Lorde", "@503once Waited"});
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    rapidjson::Document document;
    document.Parse(result.err.c_str(), result.err.size());
    REQUIRE_FALSE(document.HasParseError());
    const auto &slowest = document["runs"][0]["slowest"];
    REQUIRE(slowest.Size() == 2);
    CHECK(std::string(slowest[0]["artist"].GetString()) == "@503once Waited");
    CHECK(slowest[0]["requests"].GetInt() == 2);
    // "Retry-After: 1" is waited for: the artist took at least that second, whatever the machine's speed.
    CHECK(slowest[0]["total_ms"].GetDouble() >= 1000.0);
  }

  TEST_CASE("when artists failed, stderr ends with how many; not with -q, not when none did") {
    fixture_server server;
    const std::vector<std::string> names = {"Lorde", "@404 Gone", "@500 Broken"};
    std::vector<std::string> args = {"--base-url", server.base_url(), "--retries", "0", "--stats"};
    args.insert(args.end(), names.begin(), names.end());
    command_result result = run_artistfetch(args);
    CHECK(result.exit_code == 1);
    const std::vector<std::string> lines = lines_of(result.err);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines.back() == "artistfetch: 2 of 3 artists failed");
    CHECK(count_of(result.err, "artists failed") == 1);

    args.push_back("-q");
    CHECK_FALSE(contains(run_artistfetch(args).err, "failed"));
    command_result fine = run_artistfetch({"--base-url", server.base_url(), "Lorde"});
    CHECK(fine.exit_code == 0);
    CHECK(fine.err.empty());
    command_result compared =
        run_artistfetch({"--base-url", server.base_url(), "--compare", "Lorde", "@404 Gone"});
    CHECK(lines_of(compared.err).back() == "artistfetch: 1 of 2 artists failed");
  }

  TEST_CASE("a --timeline-svg file that cannot be written stops the run before any request") {
    fixture_server server;
    command_result result = run_artistfetch(
        {"--base-url", server.base_url(), "--timeline-svg", "/nonexistent-dir/timeline.svg", "Lorde"});
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "--timeline-svg"));
    CHECK(contains(result.err, "/nonexistent-dir/timeline.svg"));
    CHECK(result.out.empty());
    CHECK(server.total_requests() == 0);
  }

  TEST_CASE("--stats=json counts what the server saw") {
    fixture_server server;
    const long connections_before = server.connections();
    command_result result =
        run_artistfetch({"--base-url", server.base_url(), "--stats=json", "--backoff-base", "0.01", "Lorde",
                         "Dua Lipa", "@503once Stats"});
    // Each /stats query is a connection of its own, counted by itself: take the count before any other.
    const long opened_by_run = server.connections() - connections_before - 1;
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    rapidjson::Document document;
    document.Parse(result.err.c_str(), result.err.size());
    REQUIRE_FALSE(document.HasParseError());
    REQUIRE(document["runs"].Size() == 1);
    const auto &run = document["runs"][0];
    CHECK(std::string(run["mode"].GetString()) == "async");
    CHECK(run["artists"].GetInt() == 3);
    CHECK(run["requests"].GetInt() == server.total_requests());
    CHECK(run["requests"].GetInt() == 4);
    CHECK(run["retries"].GetInt() == 1);
    CHECK(run["bytes"].GetInt64() > 0);
    CHECK(run["connections"]["opened"].GetInt() == opened_by_run);
    CHECK(run["connections"]["opened"].GetInt() + run["connections"]["reused"].GetInt() == 4);
    CHECK(run["http_versions"]["HTTP/1.1"].GetInt() == 4);
    CHECK(run["latency_ms"]["total"]["n"].GetInt() == 4);
    CHECK(run["latency_ms"]["dns"]["n"].GetInt() == run["connections"]["opened"].GetInt());
    CHECK(run["latency_ms"]["total"]["max"].GetDouble() >= run["latency_ms"]["total"]["p50"].GetDouble());
    CHECK(run["slowest"].Size() == 3);
  }

  TEST_CASE("--stats with --compare reports both runs as text") {
    fixture_server server;
    command_result result = run_artistfetch(
        {"--base-url", server.base_url(), "--compare", "--stats", "--format", "ndjson", "Lorde", "Dua Lipa"});
    CAPTURE(result.err);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.err, "speedup"));
    CHECK(contains(result.err, "stats (sync): 2 requests for 2 artists (0 retries)"));
    CHECK(contains(result.err, "stats (async): 2 requests for 2 artists (0 retries)"));
    CHECK(result.err.find("stats (sync)") < result.err.find("stats (async)"));
    CHECK(count_of(result.err, "HTTP/1.1 x2") == 2);
    CHECK(contains(result.err, "p99"));
  }

  TEST_CASE("on a terminal the table fits the window: 80 columns need no cut, 50 cut the widest names") {
    fixture_server server;
    const auto table_lines = [](const pty_result &run) {
      std::vector<std::string> lines;
      for (std::string line : lines_of(run.output)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line.rfind("artistfetch: ", 0) != 0) lines.push_back(line);
      }
      return lines;
    };
    const std::vector<std::string> typical = {"--base-url",    server.base_url(), "--no-progress",
                                              "--color=never", "Lorde",           "Taylor Swift",
                                              "Dua Lipa"};
    const pty_result typical_run = run_in_pty(typical, {}, 60, 80);
    CAPTURE(typical_run.output);
    const std::vector<std::string> typical_lines = table_lines(typical_run);
    REQUIRE(typical_lines.size() == 13);
    for (const std::string &line : typical_lines) CHECK(text::display_width(line) <= 80);
    CHECK_FALSE(contains(typical_run.output, "\xE2\x80\xA6"));  // nothing cut
    CHECK(contains(typical_run.output, "THE TORTURED POETS DEPARTMENT"));

    // Billie Eilish's longest titles are wider than 80 columns allow: only they give way.
    std::vector<std::string> args = typical;
    args.insert(args.end(), {"Billie Eilish", "@404 Gone"});
    const pty_result wide = run_in_pty(args, {}, 60, 80);
    CAPTURE(wide.output);
    const std::vector<std::string> at_80 = table_lines(wide);
    REQUIRE(at_80.size() == 17);
    for (const std::string &line : at_80) CHECK(text::display_width(line) <= 80);
    CHECK(contains(wide.output, "THE TORTURED POETS DEPARTMENT"));
    CHECK(contains(wide.output, "Billie Eilish  WHEN WE ALL FALL ASLEEP"));
    CHECK(contains(wide.output, "\xE2\x80\xA6  2019-03-29      14  Alternative"));

    const pty_result narrow = run_in_pty(args, {}, 60, 50);
    CAPTURE(narrow.output);
    const std::vector<std::string> at_50 = table_lines(narrow);
    REQUIRE(at_50.size() == at_80.size());
    for (const std::string &line : at_50) {
      CAPTURE(line);
      CHECK(text::display_width(line) <= 50);
    }
    // The names and titles gave way ("…"); the dates and track counts are whole under their headers.
    CHECK(contains(narrow.output, "THE TORT\xE2\x80\xA6"));
    CHECK(contains(at_50[0], "RELEASED    TRACKS"));
    CHECK(contains(narrow.output, "2024-04-19      16"));
    CHECK(contains(at_50.back(), "error: HTTP 404"));
    CHECK(contains(narrow.output, "artistfetch: 1 of 5 artists failed"));
  }

  TEST_CASE("COLUMNS, when set, is the width; a pipe is never cut") {
    fixture_server server;
    const std::vector<std::string> args = {"--base-url", server.base_url(), "--no-progress", "--color=never",
                                           "--entity",   "musicArtist",     "Taylor Swift"};
    const pty_result run = run_in_pty(args, {"COLUMNS=40"}, 60, 100);
    CAPTURE(run.output);
    for (const std::string &line : lines_of(run.output)) CHECK(text::display_width(line) <= 41);  // and '\r'
    CHECK(contains(run.output, "https:"));
    CHECK(contains(run.output, "\xE2\x80\xA6"));

    std::vector<std::string> piped = args;
    piped.push_back("--format=table");
    const command_result file = run_artistfetch(piped, {"COLUMNS=40"});
    CHECK(contains(file.out, "https://music.apple.com/us/artist/taylor-swift/159260351?uo=4"));
  }
}

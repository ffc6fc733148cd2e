// Tests of what a run shows besides its report, without a network: the run log, --stats, the timelines,
// the progress bar's line, the table's colors, and when colors and the bar are on.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "engine/completion_relay.hpp"
#include "report/output.hpp"
#include "report/progress.hpp"
#include "report/run_log.hpp"
#include "report/run_stats.hpp"
#include "report/terminal.hpp"
#include "report/timeline.hpp"
#include "support/fixture_server.hpp"
#include "support/run_output.hpp"
#include "text/escape.hpp"
#include "text/width.hpp"

namespace {

using test_support::lines_of;

const std::string wait_glyph = "\xE2\x96\x91";
const std::string full_glyph = "\xE2\x96\x88";
const std::string tick_glyph = "\xE2\x94\xAC";

// A finished request; times in milliseconds for readability.
report::request_event request(std::size_t artist, int attempt, double start_ms, double first_byte_ms,
                              double end_ms, long status = 200) {
  report::request_event event;
  event.artist = artist;
  event.attempt = attempt;
  event.start_us = static_cast<std::int64_t>(start_ms * 1000);
  event.end_us = static_cast<std::int64_t>(end_ms * 1000);
  event.finished = true;
  event.starttransfer_us = static_cast<std::int64_t>((first_byte_ms - start_ms) * 1000);
  event.total_us = event.end_us - event.start_us;
  event.http_status = status;
  event.version = engine::http_version::v1_1;
  return event;
}

// Three artists: A on a new connection, B twice (a 503, then a 200) over reused connections, C refused.
report::run_record sample_run() {
  report::run_record run;
  run.label = "async";
  run.artists = {"A", "B", "C"};
  run.wall_s = 0.05;
  report::request_event a = request(0, 1, 0, 10, 12);
  a.new_connections = 1;
  a.namelookup_us = 1000;
  a.connect_us = 3000;
  a.bytes = 500;
  report::request_event b1 = request(1, 1, 1, 6, 7, 503);
  b1.connect_us = 100;
  b1.bytes = 20;
  report::request_event b2 = request(1, 2, 20, 30, 40);
  b2.bytes = 700;
  report::request_event c = request(2, 1, 2, 2, 4, 0);
  c.starttransfer_us = 0;
  c.version = engine::http_version::none;
  c.completed = false;
  run.requests = {a, b1, c, b2};
  return run;
}

std::size_t count_of(const std::string &text, const std::string &part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
    ++count;
  return count;
}

std::string without_escapes(const std::string &text) {
  std::string out;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] == '\x1b' && at + 1 < text.size() && text[at + 1] == '[') {
      at += 2;
      while (at < text.size() && !(text[at] >= '@' && text[at] <= '~')) ++at;
      continue;
    }
    out += text[at];
  }
  return out;
}

// A small well-formedness check of XML as this project writes it: every tag closes in order, attribute values
// are quoted, and '&' only starts one of the five predefined entities. Returns "" or the first problem.
std::string xml_problem(const std::string &xml) {
  std::vector<std::string> open;
  for (std::size_t at = 0; at < xml.size();) {
    if (xml[at] == '&') {
      bool known = false;
      for (const char *entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
        known = known || xml.compare(at, std::char_traits<char>::length(entity), entity) == 0;
      if (!known) return "bare & at " + std::to_string(at);
      ++at;
      continue;
    }
    if (xml[at] == '>') return "bare > at " + std::to_string(at);
    if (xml[at] != '<') {
      ++at;
      continue;
    }
    if (xml.compare(at, 2, "<?") == 0) {
      const std::size_t end = xml.find("?>", at);
      if (end == std::string::npos) return "unclosed <?";
      at = end + 2;
      continue;
    }
    // Find the tag's end, skipping quoted attribute values.
    std::size_t end = at + 1;
    char quote = 0;
    for (; end < xml.size(); ++end) {
      if (quote != 0) {
        if (xml[end] == quote) quote = 0;
        if (xml[end] == '<') return "< in an attribute at " + std::to_string(end);
      } else if (xml[end] == '"' || xml[end] == '\'') {
        quote = xml[end];
      } else if (xml[end] == '>') {
        break;
      }
    }
    if (end >= xml.size()) return "unclosed tag at " + std::to_string(at);
    std::string tag = xml.substr(at + 1, end - at - 1);
    at = end + 1;
    if (!tag.empty() && tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name)
        return "</" + name + "> does not close <" + (open.empty() ? "" : open.back()) + ">";
      open.pop_back();
      continue;
    }
    const bool self_closing = !tag.empty() && tag.back() == '/';
    const std::string name = tag.substr(0, tag.find_first_of(" /"));
    if (name.empty()) return "a tag without a name";
    if (!self_closing) open.push_back(name);
  }
  if (!open.empty()) return "<" + open.back() + "> never closes";
  return "";
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

// python3's XML parser, when python3 is there: "ok N" with N the <g class="request"> elements, or its error.
std::string python_parse(const std::string &xml) {
  if (access("/usr/bin/python3", X_OK) != 0) return "skipped";
  const std::string script =
      "import sys, xml.etree.ElementTree as E\n"
      "root = E.fromstring(sys.stdin.buffer.read())\n"
      "groups = [g for g in root.iter('{http://www.w3.org/2000/svg}g') if g.get('class', '').split()[:1] == "
      "['request']]\n"
      "print('ok', len(groups))\n";
  test_support::command_result result =
      test_support::run_command({"/usr/bin/python3", "-c", script}, xml, 30);
  return result.exit_code == 0 ? result.out.substr(0, result.out.find('\n')) : result.err;
}

}  // namespace

TEST_SUITE("observers") {
  TEST_CASE("percentiles use the nearest rank") {
    std::vector<double> hundred;
    for (int i = 100; i >= 1; --i) hundred.push_back(i);  // unsorted on purpose
    CHECK(report::percentile(hundred, 50) == 50);
    CHECK(report::percentile(hundred, 90) == 90);
    CHECK(report::percentile(hundred, 99) == 99);
    CHECK(report::percentile(hundred, 100) == 100);
    CHECK(report::percentile({7}, 50) == 7);
    CHECK(report::percentile({7}, 99) == 7);
    CHECK(report::percentile({}, 50) == 0);
    CHECK(report::percentile({1, 2, 3, 4}, 50) == 2);
    CHECK(report::percentile({1, 2, 3, 4}, 51) == 3);
    CHECK(report::percentile({10, 1}, 99) == 10);
  }

  TEST_CASE("the run log numbers each artist's requests and keeps them in start order") {
    report::run_log log("sync", {"A", "B"});
    log.request_started(1);
    engine::request_timings ok, refused;
    refused.completed = false;
    log.request_finished(1, ok);
    log.request_started(0);
    log.request_finished(0, refused);
    log.request_started(1);
    log.request_finished(1, ok);
    log.request_finished(1, ok);  // no request open: ignored
    log.request_started(7);       // no such artist: ignored
    report::run_record run = log.finish(1.5);
    CHECK(run.label == "sync");
    CHECK(run.wall_s == 1.5);
    REQUIRE(run.requests.size() == 3);
    CHECK(run.requests[0].artist == 1);
    CHECK(run.requests[0].attempt == 1);
    CHECK(run.requests[1].artist == 0);
    CHECK_FALSE(run.requests[1].completed);
    CHECK(run.requests[0].completed);
    CHECK(run.requests[2].artist == 1);
    CHECK(run.requests[2].attempt == 2);
    for (const report::request_event &event : run.requests) {
      CHECK(event.finished);
      CHECK(event.start_us <= event.end_us);
    }
    CHECK(run.requests[0].end_us <= run.requests[2].start_us);
  }

  TEST_CASE("the run log marks a request sent again after one the server never processed") {
    report::run_log log("async", {"A", "B"});
    engine::request_timings dropped, ok;
    dropped.never_processed = true;
    dropped.completed = false;
    log.request_started(0);
    log.request_finished(0, dropped);
    log.request_started(1);
    log.request_finished(1, ok);
    log.request_started(0);  // A again, not counted as an attempt by the engine
    log.request_finished(0, ok);
    log.request_started(1);  // B again: an ordinary retry
    log.request_finished(1, ok);
    const report::run_record run = log.finish(0);
    REQUIRE(run.requests.size() == 4);
    CHECK_FALSE(run.requests[0].resend);
    CHECK_FALSE(run.requests[1].resend);
    CHECK(run.requests[2].resend);
    CHECK_FALSE(run.requests[3].resend);
    CHECK(run.requests[2].attempt == 1);  // still A's first attempt, sent again: its own row, "A re-sent"
    CHECK(run.requests[3].attempt == 2);
    CHECK(report::row_label(run, run.requests[2]) == "A re-sent");
    CHECK(report::row_label(run, run.requests[3]) == "B #2");
    const std::string text = report::render_timeline_text({run}, 80);
    CHECK(text.find("A re-sent") != std::string::npos);
    CHECK(text.find("A #2") == std::string::npos);
    CHECK(report::render_timeline_svg({run}).find(">A re-sent<") != std::string::npos);
    const report::run_stats stats = report::compute_stats(run);
    CHECK(stats.requests == 4);
    CHECK(stats.retries == 1);
    CHECK(stats.resent == 1);
  }

  TEST_CASE("the run log keeps the counters the engine read off a handle") {
    CURL *easy = curl_easy_init();
    REQUIRE(easy != nullptr);
    report::run_log log("async", {"A"});
    log.request_started(0);
    log.request_finished(0, engine::read_timings(easy, CURLE_OK));  // never performed: every counter reads 0
    report::run_record run = log.finish(0);
    curl_easy_cleanup(easy);
    REQUIRE(run.requests.size() == 1);
    CHECK(run.requests[0].http_status == 0);
    CHECK(run.requests[0].new_connections == 0);
    CHECK(run.requests[0].total_us == 0);
  }

  TEST_CASE("the stats count requests, retries, bytes, connections and versions") {
    const report::run_stats stats = report::compute_stats(sample_run());
    CHECK(stats.label == "async");
    CHECK(stats.artists == 3);
    CHECK(stats.requests == 4);
    CHECK(stats.retries == 1);
    CHECK(stats.bytes == 1220);
    CHECK(stats.connections_opened == 1);
    CHECK(stats.connections_reused == 2);  // B's two requests; C never connected
    CHECK(stats.http_versions.size() == 1);
    CHECK(stats.http_versions.at("HTTP/1.1") == 3);
    CHECK(stats.dns.count == 1);
    CHECK(stats.dns.p50_ms == doctest::Approx(1.0));
    CHECK(stats.connect.count == 1);
    CHECK(stats.connect.max_ms == doctest::Approx(2.0));
    CHECK(stats.tls.count == 0);
    CHECK(stats.first_byte.count == 3);
    CHECK(stats.first_byte.max_ms == doctest::Approx(10.0));  // B's second: 10 ms after its start
    CHECK(stats.first_byte.p50_ms == doctest::Approx(7.0));   // A: 10 ms less 3 ms of connecting
    CHECK(stats.total.count == 4);
    CHECK(stats.total.max_ms == doctest::Approx(20.0));
    CHECK(stats.total.p50_ms == doctest::Approx(6.0));
    REQUIRE(stats.slowest.size() == 3);
    CHECK(stats.slowest[0].artist == "B");
    CHECK(stats.slowest[0].total_ms == doctest::Approx(39.0));  // from its first start to its last end
    CHECK(stats.slowest[0].requests == 2);
    CHECK(stats.slowest[1].artist == "A");
    CHECK(stats.slowest[2].artist == "C");
  }

  TEST_CASE("the stats keep the five slowest artists") {
    report::run_record run;
    run.label = "sync";
    for (int i = 0; i < 8; ++i) {
      run.artists.push_back("artist " + std::to_string(i));
      run.requests.push_back(request(static_cast<std::size_t>(i), 1, 0, 1, 10.0 + i));
    }
    const report::run_stats stats = report::compute_stats(run);
    REQUIRE(stats.slowest.size() == 5);
    CHECK(stats.slowest.front().artist == "artist 7");
    CHECK(stats.slowest.back().artist == "artist 3");
  }

  TEST_CASE("the stats in json are one object that parses") {
    report::run_record sync_run = sample_run();
    sync_run.label = "sync";
    sync_run.artists = {"A", "Tab\there \"quoted\"", "C"};
    const std::string json =
        report::render_stats_json({report::compute_stats(sync_run), report::compute_stats(sample_run())});
    CHECK(json.back() == '\n');
    CHECK(json.find('\n') == json.size() - 1);
    rapidjson::Document document;
    document.Parse(json.c_str(), json.size());
    REQUIRE_FALSE(document.HasParseError());
    REQUIRE(document["runs"].IsArray());
    REQUIRE(document["runs"].Size() == 2);
    const auto &run = document["runs"][0];
    CHECK(std::string(run["mode"].GetString()) == "sync");
    CHECK(run["requests"].GetInt() == 4);
    CHECK(run["retries"].GetInt() == 1);
    CHECK(run["artists"].GetInt() == 3);
    CHECK(run["bytes"].GetInt() == 1220);
    CHECK(run["connections"]["opened"].GetInt() == 1);
    CHECK(run["connections"]["reused"].GetInt() == 2);
    CHECK(run["http_versions"]["HTTP/1.1"].GetInt() == 3);
    for (const char *phase : {"dns", "connect", "tls", "first_byte", "total"}) {
      CAPTURE(phase);
      REQUIRE(run["latency_ms"].HasMember(phase));
      for (const char *key : {"n", "p50", "p90", "p99", "max"})
        CHECK(run["latency_ms"][phase].HasMember(key));
    }
    CHECK(run["latency_ms"]["total"]["max"].GetDouble() == doctest::Approx(20.0));
    CHECK(std::string(run["slowest"][0]["artist"].GetString()) == "Tab\there \"quoted\"");
    CHECK(std::string(document["runs"][1]["mode"].GetString()) == "async");
    CHECK(run["resent"].GetInt() == 0);
  }

  TEST_CASE("re-sent requests are counted apart from retries, in text and in json") {
    report::run_record run = sample_run();
    // A's request died unprocessed, then went again twice more; only the second request of B is a retry.
    run.requests[0].never_processed = true;
    for (int again = 2; again <= 3; ++again) {
      report::request_event resend = request(0, again, 12.0 * again, 12.0 * again + 1, 12.0 * again + 2);
      resend.resend = true;
      run.requests.push_back(resend);
    }
    const report::run_stats stats = report::compute_stats(run);
    CHECK(stats.requests == 6);
    CHECK(stats.retries == 1);
    CHECK(stats.resent == 2);
    const std::string text = report::render_stats_text({stats});
    CHECK(text.find("stats (async): 6 requests for 3 artists (1 retry, 2 re-sent unprocessed)") == 0);
    const std::string json = report::render_stats_json({stats});
    CHECK(json.find(R"("requests":6,"retries":1,"resent":2,)") != std::string::npos);
    // Without re-sends the text says nothing of them.
    CHECK(report::render_stats_text({report::compute_stats(sample_run())}).find("re-sent") ==
          std::string::npos);
  }

  TEST_CASE("the stats as text name every figure") {
    const std::string text = report::render_stats_text({report::compute_stats(sample_run())});
    for (const char *part :
         {"stats (async): 4 requests for 3 artists (1 retry)", "1220 bytes", "1 opened, 2 reused",
          "HTTP/1.1 x3", "p50", "p90", "p99", "max", "dns", "connect", "tls", "first byte", "total",
          "slowest artists", "39.0 ms  B (2 requests)"}) {
      CAPTURE(part);
      CHECK(text.find(part) != std::string::npos);
    }
  }

  TEST_CASE("the text timeline has a row per request, a retry on its own row, and an axis") {
    const std::string text = report::render_timeline_text({sample_run()}, 80);
    const std::vector<std::string> lines = lines_of(text);
    REQUIRE(lines.size() == 1 + 4 + 3);  // heading, requests, axis, its labels, the legend
    CHECK(lines[0].find("async: 4 requests") == 0);
    CHECK(lines[1].rfind("A ", 0) == 0);
    CHECK(lines[2].rfind("B ", 0) == 0);
    CHECK(lines[2].find("HTTP 503") != std::string::npos);
    CHECK(lines[3].rfind("C ", 0) == 0);
    CHECK(lines[3].find("failed") != std::string::npos);
    CHECK(lines[4].rfind("B #2 ", 0) == 0);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      CAPTURE(lines[i]);
      CHECK(text::display_width(lines[i]) <= 80);
      if (i >= 1 && i <= 4)
        CHECK(text::display_width(lines[i].substr(0, 21)) == 21);  // bars start in column 21
    }
    // A waits 10 ms of its 12: light first, then solid.
    CHECK(lines[1].find(wait_glyph) < lines[1].find(full_glyph));
    // B #2 ends last, at the axis's end: its bar reaches the last column.
    const std::size_t bar_columns = text::display_width(lines[5]) - 21;
    CHECK(text::display_width(lines[4]) == 21 + bar_columns);
    CHECK(lines[5].find(tick_glyph) == 21);  // a tick at 0
    CHECK(lines[6].find("0") == 21);
    CHECK(lines[6].find("10ms") != std::string::npos);
    CHECK(lines[7].find(wait_glyph + " waiting for the first byte") == 21);
  }

  TEST_CASE("a bar's length is proportional to its request's duration") {
    report::run_record run;
    run.label = "sync";
    run.artists = {"half", "whole"};
    run.requests = {request(0, 1, 0, 0.001, 500), request(1, 1, 0, 0.001, 1000)};  // the first byte at once
    const std::vector<std::string> lines = lines_of(report::render_timeline_text({run}, 80));
    REQUIRE(lines.size() == 6);
    const std::size_t columns = text::display_width(lines[3]) - 21;
    CHECK(count_of(lines[2], full_glyph) == columns);
    CHECK(count_of(lines[1], full_glyph) == columns / 2);
    CHECK(lines[4].find("0.4s") != std::string::npos);  // an axis of a second or more counts in seconds
    CHECK(lines[4].find("1s") != std::string::npos);
  }

  TEST_CASE("the compare timeline stacks the sync run above the async run on one scale") {
    report::run_record sync_run;
    sync_run.label = "sync";
    sync_run.artists = {"One", "Two"};
    sync_run.requests = {request(0, 1, 0, 50, 100), request(1, 1, 100, 150, 200)};
    report::run_record async_run = sync_run;
    async_run.label = "async";
    async_run.requests = {request(0, 1, 0, 50, 100), request(1, 1, 0, 50, 100)};
    const std::vector<std::string> lines = lines_of(report::render_timeline_text({sync_run, async_run}, 100));
    REQUIRE(lines.size() == 2 * 3 + 3);
    CHECK(lines[0].find("sync: 2 requests") == 0);
    CHECK(lines[3].find("async: 2 requests") == 0);
    // The staircase: sync's second request starts where its first ends; async's start together.
    const std::size_t sync_second = lines[2].find(wait_glyph);
    const std::size_t sync_first = lines[1].find(wait_glyph);
    CHECK(sync_first == 21);
    CHECK(sync_second > sync_first);
    CHECK(lines[4] == lines[1]);  // the same request draws the same bar in both runs
    CHECK(lines[5].find(wait_glyph) == 21);
  }

  TEST_CASE("long names are cut to twenty columns and a tiny request still shows") {
    report::run_record run;
    run.label = "async";
    run.artists = {"An artist with a very long name indeed", "坂本龍一坂本龍一坂本龍一坂本龍一"};
    run.requests = {request(0, 1, 0, 0, 0), request(1, 2, 0, 500, 1000)};
    const std::vector<std::string> lines = lines_of(report::render_timeline_text({run}, 60));
    REQUIRE(lines.size() == 6);
    CHECK(lines[1].rfind("An artist with a ve\xE2\x80\xA6 ", 0) == 0);
    CHECK(text::display_width(lines[1]) > 21);  // a mark, though the request took no time
    CHECK(lines[2].find(" #2 ") != std::string::npos);
    CHECK(text::display_width(lines[2].substr(0, lines[2].find(" #2") + 3)) <= 20);
    for (const std::string &line : lines) CHECK(text::display_width(line) <= 60);
    CHECK(lines.back().rfind(wait_glyph + " waiting", 0) == 0);  // too narrow to indent the legend
  }

  TEST_CASE("the SVG is well-formed, escapes names and has a group per request") {
    report::run_record sync_run = sample_run();
    sync_run.label = "sync";
    sync_run.artists = {"Tom & Jerry <\"live\"> 'n' \xEF\xBF\xBE", "B", "C"};
    const std::string svg = report::render_timeline_svg({sync_run, sample_run()});
    CHECK(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"",
                    0) == 0);
    CHECK(xml_problem(svg) == "");
    CHECK(count_of(svg, "<g class=\"request") == 8);
    CHECK(count_of(svg, "<g class=\"run\"") == 2);
    CHECK(count_of(svg, "<rect class=\"wait\"") == 8);
    CHECK(count_of(svg, "<rect class=\"transfer\"") == 8);
    CHECK(count_of(svg, "<line class=\"tick\"") >= 2);
    CHECK(svg.find("<title>artistfetch timeline</title>") != std::string::npos);
    CHECK(svg.find("Tom &amp; Jerry &lt;&quot;live&quot;&gt; &apos;n&apos; \xEF\xBF\xBD") !=
          std::string::npos);
    CHECK(svg.find("\xEF\xBF\xBE") == std::string::npos);
    CHECK(svg.find("id=\"run-sync\"") < svg.find("id=\"run-async\""));
    const std::string parsed = python_parse(svg);
    if (parsed != "skipped") CHECK(parsed == "ok 8");
  }

  TEST_CASE("a request that failed after its 200 is drawn red, visibly, and named by its error") {
    report::run_record run;
    run.label = "async";
    run.artists = {"Reset", "Bad JSON", "Fine"};
    report::request_event reset = request(0, 1, 0, 5, 5);  // the reset came with the first byte
    reset.completed = false;
    report::request_event bad_json = request(1, 1, 0, 4, 6);
    bad_json.error = "response is not valid JSON (Invalid value. at byte 0)";
    run.requests = {reset, bad_json, request(2, 1, 0, 3, 900)};
    const std::string svg = report::render_timeline_svg({run});
    CHECK(xml_problem(svg) == "");
    CHECK(count_of(svg, "<g class=\"request failed\">") == 2);
    CHECK(count_of(svg, "<g class=\"request\">") == 1);
    CHECK(count_of(svg, "fill=\"#c0392b\"/>") == 2 + 1);  // and the legend's swatch
    // The reset's red bar is 4 px wide, not a sliver; no tooltip calls a failure "HTTP 200".
    const std::size_t reset_group = svg.find("<g class=\"request failed\"><title>Reset:");
    REQUIRE(reset_group != std::string::npos);
    const std::string group = svg.substr(reset_group, svg.find("</g>", reset_group) - reset_group);
    CHECK(contains(group, "failed after HTTP 200</title>"));
    CHECK(contains(group, "class=\"transfer\""));
    CHECK(contains(group, "width=\"4\" height=\"10\" fill=\"#c0392b\""));
    CHECK(contains(svg, "Bad JSON: start 0.0 ms, first byte 4.0 ms, end 6.0 ms, response is not valid JSON"));
    CHECK(count_of(svg, "ms, HTTP 200</title>") == 1);  // the one that went well
    // A legend with a swatch per colour, and the axis's title.
    CHECK(count_of(svg, "<rect class=\"swatch\"") == 3);
    CHECK(contains(svg, "<g class=\"legend\">"));
    CHECK(contains(svg, ">seconds since start</text>"));
    CHECK_FALSE(contains(svg, "class=\"axis top\""));  // short: one axis, at the bottom
    const std::string text = report::render_timeline_text({run}, 100);
    CHECK(contains(text, "failed after HTTP 200"));
    CHECK(contains(text, "response is not valid JSON"));
    for (const std::string &line : lines_of(text)) CHECK(text::display_width(line) <= 100);
  }

  TEST_CASE("a tall SVG gets an axis at the top too; a compare picture states the speedup") {
    report::run_record run;
    run.label = "async";
    for (int i = 0; i < 80; ++i) {
      run.artists.push_back("artist " + std::to_string(i));
      run.requests.push_back(request(static_cast<std::size_t>(i), 1, i, i + 1, i + 2));
    }
    const std::string tall = report::render_timeline_svg({run});
    CHECK(xml_problem(tall) == "");
    CHECK(count_of(tall, "class=\"axis top\"") == 1);
    CHECK(count_of(tall, "class=\"axis bottom\"") == 1);
    CHECK(count_of(tall, ">seconds since start</text>") == 2);

    report::run_record sync_run = sample_run(), async_run = sample_run();
    sync_run.label = "sync";
    sync_run.wall_s = 1.2;
    async_run.wall_s = 0.3;
    const std::string compared = report::render_timeline_svg({sync_run, async_run});
    CHECK(contains(compared, "<text class=\"speedup\""));
    CHECK(contains(compared, "sync took 1.200 s, async 0.300 s: 4.00x"));
    CHECK_FALSE(contains(report::render_timeline_svg({async_run}), "speedup"));
  }

  TEST_CASE("an artist's time in the stats runs from its first request to its record") {
    report::run_record run;
    run.label = "async";
    run.artists = {"Retried", "Quick"};
    // Retried: a 503 from 0 to 5 ms, a wait, the retry from 1005 to 1010 ms, its record at 1011 ms.
    run.requests = {request(0, 1, 0, 4, 5, 503), request(1, 1, 0, 2, 20), request(0, 2, 1005, 1008, 1010)};
    run.artist_done_us = {1011000, 21000};
    const report::run_stats stats = report::compute_stats(run);
    REQUIRE(stats.slowest.size() == 2);
    CHECK(stats.slowest[0].artist == "Retried");
    CHECK(stats.slowest[0].total_ms == doctest::Approx(1011.0));
    CHECK(stats.slowest[0].requests == 2);
    CHECK(stats.slowest[1].total_ms == doctest::Approx(21.0));
  }

  TEST_CASE("an empty run still gives a valid timeline") {
    report::run_record run;
    run.label = "async";
    const std::string svg = report::render_timeline_svg({run});
    CHECK(xml_problem(svg) == "");
    CHECK(count_of(svg, "<g class=\"request") == 0);
    const std::vector<std::string> lines = lines_of(report::render_timeline_text({run}, 80));
    CHECK(lines.size() == 4);
  }

  TEST_CASE("the progress line shows counts, failures, rate and ETA within the width") {
    report::progress_state state;
    state.label = "async";
    state.total = 50;
    state.done = 10;
    state.failed = 1;
    state.requests = 12;
    state.elapsed_s = 2;
    const std::string line = report::format_progress(state, 80);
    CHECK(line.find("async [") == 0);
    CHECK(line.find("] 10/50 1 failed 6.0 req/s ETA 8s") != std::string::npos);
    CHECK(count_of(line, full_glyph) * 5 == count_of(line, full_glyph) + count_of(line, wait_glyph));
    for (std::size_t width : {1, 10, 20, 30, 40, 60, 80, 120, 300}) {
      CAPTURE(width);
      CHECK(text::display_width(report::format_progress(state, width)) <= (width > 0 ? width - 1 : 0));
    }
    state.done = 0;
    state.failed = 0;
    state.label.clear();
    const std::string starting = report::format_progress(state, 80);
    CHECK(starting.find("[") == 0);
    CHECK(starting.find("0/50") != std::string::npos);
    CHECK(starting.find("failed") == std::string::npos);
    CHECK(starting.find("ETA ?") != std::string::npos);
    state.done = 1;
    state.elapsed_s = 3725;
    CHECK(report::format_progress(state, 80).find("ETA 50h42m") != std::string::npos);
  }

  TEST_CASE("the progress bar draws at once, then at most every 100 ms, and erases itself") {
    std::FILE *file = std::tmpfile();
    REQUIRE(file != nullptr);
    {
      report::progress_bar bar(file, fileno(file), "", 3);
      bar.request_ended();  // the first event draws
      bar.artist_done(true);
      bar.artist_done(false);  // too soon to draw again
      bar.finish();
      bar.artist_done(true);  // finished: nothing more
    }
    std::rewind(file);
    std::string written;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) written.append(buffer, n);
    std::fclose(file);
    CHECK(written.rfind("\r[", 0) == 0);
    CHECK(count_of(written, "\x1b[K") == 2);
    CHECK(written.find("0/3") != std::string::npos);
    CHECK(written.size() >= 4);
    CHECK(written.substr(written.size() - 4) == "\r\x1b[K");
  }

  TEST_CASE("a progress bar that never drew erases nothing") {
    std::FILE *file = std::tmpfile();
    REQUIRE(file != nullptr);
    {
      report::progress_bar bar(file, fileno(file), "sync", 1);
      bar.hide();
    }
    CHECK(std::ftell(file) == 0);
    std::fclose(file);
  }

  TEST_CASE("the table's colors change no column") {
    std::vector<itunes::artist_record> records(3);
    records[0].artist = "Lorde";
    records[0].ok = true;
    records[0].results.resize(1);
    records[0].results[0].collection_name = "Melodrama";
    records[0].results[0].release_date = "2017-06-16T07:00:00Z";
    records[0].results[0].track_count = 11;
    records[0].results[0].primary_genre = "Alternative";
    records[1].artist = "Nobody ";
    records[1].ok = true;
    records[2].artist = "坂本龍一";
    records[2].error = "HTTP 404";
    records[2].http_status = 404;
    const std::string plain = report::render_table(records);
    const std::string colored = report::render_table(records, true);
    CHECK(plain.find('\x1b') == std::string::npos);
    CHECK(plain == report::render_table(records, false));
    CHECK(without_escapes(colored) == plain);
    const std::vector<std::string> lines = lines_of(colored);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].rfind("\x1b[1mARTIST\x1b[0m", 0) == 0);
    CHECK(lines[1].find('\x1b') == std::string::npos);  // a plain album row
    CHECK(lines[2].rfind("\x1b[33mNobody\x1b[0m", 0) == 0);
    CHECK(lines[2].find("\x1b[33m(no exact match)\x1b[0m") != std::string::npos);
    CHECK(lines[3].rfind("\x1b[31m坂本龍一\x1b[0m", 0) == 0);
    CHECK(lines[3].find("\x1b[31merror: HTTP 404\x1b[0m") != std::string::npos);
    for (const std::string &line : lines) CHECK(line.back() != ' ');
  }

  TEST_CASE("colors follow --color, the terminal and NO_COLOR") {
    using report::color_mode;
    CHECK(report::color_wanted(color_mode::automatic, true, nullptr));
    CHECK(report::color_wanted(color_mode::automatic, true, ""));
    CHECK_FALSE(report::color_wanted(color_mode::automatic, true, "1"));
    CHECK_FALSE(report::color_wanted(color_mode::automatic, true, "0"));  // any non-empty value
    CHECK_FALSE(report::color_wanted(color_mode::automatic, false, nullptr));
    CHECK(report::color_wanted(color_mode::always, false, "1"));
    CHECK_FALSE(report::color_wanted(color_mode::never, true, nullptr));
  }

  TEST_CASE("the progress bar needs a terminal on stderr and yields to --quiet and --no-progress") {
    cli::options opts;
    CHECK(report::progress_wanted(opts.progress, opts.quiet, true));
    CHECK_FALSE(report::progress_wanted(opts.progress, opts.quiet, false));
    opts.quiet = true;
    CHECK_FALSE(report::progress_wanted(opts.progress, opts.quiet, true));
    opts.progress = true;
    CHECK(report::progress_wanted(opts.progress, opts.quiet, true));
    CHECK_FALSE(report::progress_wanted(opts.progress, opts.quiet, false));
    opts.quiet = false;
    opts.progress = false;
    CHECK_FALSE(report::progress_wanted(opts.progress, opts.quiet, true));
  }

  TEST_CASE("the terminal width falls back when there is no terminal") {
    std::FILE *file = std::tmpfile();
    REQUIRE(file != nullptr);
    CHECK(report::terminal_width(fileno(file), 77) == 77);
    std::fclose(file);
    CHECK(report::terminal_width(-1, 80) == 80);
  }
}

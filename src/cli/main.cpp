// artistfetch: looks up many artists on the iTunes Search API at once and reports each in input order.
#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "cache/response_cache.hpp"
#include "cli/diagnostics.hpp"
#include "cli/option_docs.hpp"
#include "cli/options.hpp"
#include "cli/run_plan.hpp"
#include "engine/runners.hpp"
#include "engine/version.hpp"
#include "report/compare.hpp"
#include "report/output.hpp"
#include "report/record_stream.hpp"
#include "report/run_monitor.hpp"
#include "report/terminal.hpp"

namespace {

void write_all(std::FILE *stream, const std::string &text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

// 0 when every artist is ok, 1 when one failed, 128 + signal when interrupted.
int exit_status(const engine::run_report &report) {
  if (report.signal != 0) return 128 + report.signal;
  for (const auto &record : report.records)
    if (!record.ok) return 1;
  return 0;
}

class program {
 public:
  // `plan` is make_run_plan(opts); the names live in the plan only, so that a long list is held once.
  program(const cli::options &opts, const engine::run_plan &plan, const cli::diagnostics &say)
      : opts_(opts), say_(say), plan_(plan), monitor_(monitor_settings(opts), plan.artists) {}

  int run() {
    if (!monitor_.problem().empty()) {
      say_.error(monitor_.problem());
      return 2;
    }
    return opts_.compare ? compare() : run_once();
  }

 private:
  static report::monitor_settings monitor_settings(const cli::options &opts) {
    report::monitor_settings settings;
    settings.progress = report::progress_wanted(opts.progress, opts.quiet, isatty(STDERR_FILENO) != 0);
    settings.label_bar = opts.compare;
    settings.stats = opts.stats;
    settings.timeline = opts.timeline;
    settings.timeline_svg = opts.timeline_svg;
    return settings;
  }

  report::output_format format() const {
    return opts_.format.value_or(isatty(STDOUT_FILENO) ? report::output_format::table
                                                       : report::output_format::ndjson);
  }

  void write_report(const engine::run_report &report) const {
    const bool color = report::color_wanted(opts_.color, isatty(STDOUT_FILENO) != 0, std::getenv("NO_COLOR"));
    report::write_report(stdout, report.records, format(), color);
  }

  void warn_if_unclean(const engine::run_report &report) const {
    if (!report.loop_closed) say_.warning("the libuv loop did not close cleanly");
  }

  // Writes the monitor's reports (--stats, --timeline, --timeline-svg) and turns a failure to write them
  // into exit status 1 when the run itself went well.
  int with_reports(int status) {
    const std::string problem = monitor_.write_reports();
    say_.artists_failed(monitor_.failed_artists(), monitor_.artists_in_run());
    if (problem.empty()) return status;
    say_.error(problem);
    return status != 0 ? status : 1;
  }

  int run_once() {
    engine::run_hooks hooks;
    std::unique_ptr<cache::cached_answers> cache;
    if (!opts_.sync) {  // --sync (like --compare) measures the network: no cache
      std::string problem;
      cache = cli::open_configured_cache(opts_, plan_, std::getenv("ARTISTFETCH_CACHE_DIR"), problem);
      if (!problem.empty()) {
        say_.error(problem);
        return 2;
      }
      if (cache) {
        hooks.store = cache.get();
        hooks.observers.push_back(cache.get());
      }
    }
    const char *label = opts_.sync ? "sync" : "async";
    monitor_.begin_run(label, hooks);
    std::optional<report::record_stream> stream;  // the records are printed as they finish
    if (opts_.stream) hooks.observers.push_back(&stream.emplace(stdout, monitor_.bar()));
    engine::run_report report = opts_.sync ? engine::run_sync(plan_, hooks) : engine::run_async(plan_, hooks);
    monitor_.end_run(report);
    if (cache && !cache->problem().empty()) say_.warning(cache->problem());
    warn_if_unclean(report);
    if (!opts_.stream) write_report(report);
    return with_reports(exit_status(report));
  }

  int compare() {
    engine::run_hooks sync_hooks;
    monitor_.begin_run("sync", sync_hooks);
    engine::run_report sync_report = engine::run_sync(plan_, sync_hooks);
    monitor_.end_run(sync_report);
    if (sync_report.signal != 0) {  // interrupted: report what the sync run has, skip the async run
      write_report(sync_report);
      return with_reports(exit_status(sync_report));
    }
    engine::run_hooks async_hooks;
    monitor_.begin_run("async", async_hooks);
    engine::run_report async_report = engine::run_async(plan_, async_hooks);
    monitor_.end_run(async_report);
    warn_if_unclean(async_report);
    write_report(async_report);
    if (async_report.signal != 0) return with_reports(exit_status(async_report));
    write_all(stderr, report::render_timing_table(sync_report, async_report));
    std::vector<std::string> differing = report::differing_artists(sync_report.records, async_report.records);
    if (!differing.empty()) {
      say_.error(report::describe_differences(differing));
      return with_reports(1);
    }
    return with_reports(exit_status(async_report));
  }

  const cli::options &opts_;
  const cli::diagnostics &say_;
  const engine::run_plan &plan_;
  report::run_monitor monitor_;
};

}  // namespace

int main(int argc, char **argv) {
  cli::diagnostics say;
  cli::parse_outcome parsed = cli::parse_options(argc, argv, std::getenv("ARTISTFETCH_BASE_URL"));
  switch (parsed.kind) {
    case cli::parse_outcome::help:
      write_all(stdout, cli::help_text());
      return 0;
    case cli::parse_outcome::version:
      write_all(stdout, "artistfetch " ARTISTFETCH_VERSION "\n");
      return 0;
    case cli::parse_outcome::usage_error:
      say.usage_error(parsed.message);
      return 2;
    case cli::parse_outcome::run:
      break;
  }
  say.set_quiet(parsed.opts.quiet);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    say.error("libcurl could not be initialised");
    return 1;
  }
  int status = 1;
  try {
    const engine::run_plan plan = cli::take_run_plan(parsed.opts);
    status = program(parsed.opts, plan, say).run();
  } catch (const std::exception &error) {
    say.error(error.what());
  }
  curl_global_cleanup();
  return status;
}

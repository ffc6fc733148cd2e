// artistfetch: looks up many artists on the iTunes Search API at once and reports each in input order.
#include <curl/curl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "cache/response_cache.hpp"
#include "cli/diagnostics.hpp"
#include "cli/option_docs.hpp"
#include "cli/options.hpp"
#include "cli/process_setup.hpp"
#include "cli/run_plan.hpp"
#include "engine/library_init.hpp"
#include "engine/runners.hpp"
#include "engine/stop_signals.hpp"
#include "engine/version.hpp"
#include "report/compare.hpp"
#include "report/output.hpp"
#include "report/record_stream.hpp"
#include "report/run_monitor.hpp"
#include "report/terminal.hpp"

namespace {

// Output that could not be written: the report, --stream, --stats, --timeline, --timeline-svg (README).
constexpr int output_failed_status = 3;

// Out of memory during a run (README): plain text, since allocating the message could fail in its turn.
constexpr const char *run_stopped_for_memory =
    "out of memory: the run stopped early; the artists it had not finished end with the error \"out of "
    "memory\"";
constexpr const char *artists_failed_for_memory =
    "out of memory: some responses did not fit (those artists' errors say \"out of memory\")";

// Flushes and closes stdout, the last chance for a full disk or a closed pipe to show. Returns 0 or errno.
int close_stdout() {
  errno = 0;
  if (std::fclose(stdout) == 0) return 0;
  return errno != 0 ? errno : EIO;
}

// 0 when every artist is ok, 1 when one failed, 128 + signal when interrupted (also by a signal that came
// after the run, while the report was written: the report is complete, but the user asked to stop).
int exit_status(const engine::run_report &report) {
  if (report.signal != 0) return 128 + report.signal;
  if (engine::recorded_stop_signal() != 0) return 128 + engine::recorded_stop_signal();
  for (std::size_t i = 0; i < report.records.size(); ++i)
    if (!report.records.ok(i)) return 1;
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

  // The run's status once stdout is closed: a report that could not be written wins over 0 and 1 (the
  // records are lost), an interruption keeps its status. Says the first output problem, once.
  int finish(int status) {
    const int closing = close_stdout();
    if (report_error_ == 0) report_error_ = closing;
    if (report_error_ != 0 && output_problem_.empty())
      output_problem_ = std::string("cannot write the report: ") + std::strerror(report_error_);
    if (!output_problem_.empty()) {
      say_.error(output_problem_);
      if (status < 128) status = output_failed_status;
    }
    // Out of memory is never a success, nor a signal: the records printed stand, the message names it.
    if (memory_problem_ == nullptr && engine::out_of_memory_noted())
      memory_problem_ =
          engine::out_of_memory_stops_runs() ? run_stopped_for_memory : artists_failed_for_memory;
    if (memory_problem_ == nullptr) return status;
    say_.error(memory_problem_);
    return status == 0 ? 1 : status;
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

  void write_report(const engine::run_report &report) {
    const bool color = report::color_wanted(opts_.color, isatty(STDOUT_FILENO) != 0, std::getenv("NO_COLOR"));
    int error = 0;
    try {
      error = report::write_report(stdout, report.records, format(), color);
    } catch (const std::bad_alloc &) {
      memory_problem_ = "out of memory while writing the report: the records written before stand";
      // A table is rendered whole before its first byte; ndjson goes out a record at a time from a small
      // buffer, so the records can still be printed.
      if (format() == report::output_format::table) {
        memory_problem_ =
            "out of memory while rendering the table: the records were printed as ndjson instead";
        try {
          error = report::write_report(stdout, report.records, report::output_format::ndjson, false);
        } catch (const std::bad_alloc &) {
          memory_problem_ = "out of memory while writing the report, even as ndjson";
        }
      }
    }
    if (report_error_ == 0) report_error_ = error;
  }

  void warn_if_unclean(const engine::run_report &report) const {
    if (!report.loop_closed) say_.warning("the libuv loop did not close cleanly");
  }

  // Writes the monitor's reports (--stats, --timeline, --timeline-svg); finish() says whether they failed.
  int with_reports(int status) {
    try {
      std::string problem = monitor_.write_reports();
      say_.artists_failed(monitor_.failed_artists(), monitor_.artists_in_run());
      if (report_error_ == 0 && output_problem_.empty()) output_problem_ = std::move(problem);
    } catch (const std::bad_alloc &) {
      if (memory_problem_ == nullptr)
        memory_problem_ = "out of memory while writing --stats or the timelines";
    }
    return status;
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
    if (opts_.stream) hooks.observers.push_back(&stream.emplace(stdout, plan_.artists, monitor_.bar()));
    engine::run_report report = opts_.sync ? engine::run_sync(plan_, hooks) : engine::run_async(plan_, hooks);
    engine::install_stop_signal_recorder();  // libuv reset the signals to their defaults
    monitor_.end_run(report);
    if (stream) report_error_ = stream->error();
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
    engine::install_stop_signal_recorder();  // libuv reset the signals to their defaults
    monitor_.end_run(async_report);
    warn_if_unclean(async_report);
    write_report(async_report);
    if (async_report.signal != 0) return with_reports(exit_status(async_report));
    report::write_text(stderr, report::render_timing_table(sync_report, async_report));
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
  int report_error_ = 0;                  // errno of the first write of the report (or --stream) that failed
  std::string output_problem_;            // or why --stats, --timeline or --timeline-svg could not be written
  const char *memory_problem_ = nullptr;  // what could not be done for lack of memory, if anything
};

// --help and --version: text on stdout, checked like a report.
int print_text(const cli::diagnostics &say, const std::string &text) {
  int error = report::write_text(stdout, text);
  const int closing = close_stdout();
  if (error == 0) error = closing;
  if (error == 0) return 0;
  say.error(std::string("cannot write the help: ") + std::strerror(error));
  return output_failed_status;
}

}  // namespace

int main(int argc, char **argv) {
  const cli::standard_descriptors closed = cli::make_standard_descriptors_valid();
  engine::prepare_libuv();                 // before anything can take the memory it needs (library_init.hpp)
  engine::install_stop_signal_recorder();  // before the names are read: stdin may never end
  cli::diagnostics say;
  cli::parse_outcome parsed;
  try {
    parsed = cli::parse_options(argc, argv, std::getenv("ARTISTFETCH_BASE_URL"));
  } catch (const std::bad_alloc &) {  // no run yet, so no record to print
    say.error("out of memory while reading the names");
    return 1;
  }
  // Interrupted while the names were read, before the first one ("no artist names given"): nothing to report.
  const int early_signal = engine::recorded_stop_signal();
  if (early_signal != 0 && (parsed.kind == cli::parse_outcome::usage_error || parsed.opts.artists.empty()))
    return 128 + early_signal;
  switch (parsed.kind) {
    case cli::parse_outcome::help:
      return print_text(say, cli::help_text());
    case cli::parse_outcome::version:
      return print_text(say, "artistfetch " ARTISTFETCH_VERSION "\n");
    case cli::parse_outcome::usage_error:
      say.usage_error(parsed.message);
      return 2;
    case cli::parse_outcome::run:
      break;
  }
  say.set_quiet(parsed.opts.quiet);
  const unsigned long file_limit = cli::raise_open_file_limit();
  const int allowed = cli::concurrency_within(file_limit, parsed.opts.concurrency);
  if (allowed < parsed.opts.concurrency) {
    say.warning("--concurrency " + std::to_string(parsed.opts.concurrency) +
                " needs more open files than the limit of " + std::to_string(file_limit) +
                " allows: " + std::to_string(allowed) + " at once (raise it with ulimit -n)");
    parsed.opts.concurrency = allowed;
  }
  if (closed.stdout_closed) {  // no request for a report that cannot be written
    say.error("cannot write the report: standard output is closed");
    return output_failed_status;
  }
  const CURLcode ready = engine::init_curl_with_reserve();
  if (ready != CURLE_OK) {
    say.error(ready == CURLE_OUT_OF_MEMORY ? "out of memory: libcurl could not be initialised"
                                           : "libcurl could not be initialised");
    return 1;
  }
  int status = 1;
  try {
    const engine::run_plan plan = cli::take_run_plan(parsed.opts);
    program app(parsed.opts, plan, say);
    status = app.finish(app.run());
  } catch (const std::bad_alloc &) {  // outside a run's callbacks, which end it cleanly themselves
    say.error("out of memory: artistfetch stopped; any record printed before stands");
  } catch (const std::exception &error) {
    say.error(error.what());
  }
  curl_global_cleanup();
  return status;
}

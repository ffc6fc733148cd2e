// artistfetch: looks up many artists on the iTunes Search API at once and reports each in input order.
#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/compare.hpp"
#include "cli/observers.hpp"
#include "cli/options.hpp"
#include "cli/output.hpp"
#include "cli/record_stream.hpp"
#include "cli/response_cache.hpp"
#include "cli/runners.hpp"
#include "cli/terminal.hpp"
#include "cli/version.hpp"

namespace {

void write_all(std::FILE *stream, const std::string &text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

// 0 when every artist is ok, 1 when one failed, 128 + signal when interrupted.
int exit_status(const cli::run_report &report) {
  if (report.signal != 0) return 128 + report.signal;
  for (const auto &record : report.records)
    if (!record.ok) return 1;
  return 0;
}

void warn_if_unclean(const cli::run_report &report) {
  if (!report.loop_closed) std::fputs("artistfetch: warning: the libuv loop did not close cleanly\n", stderr);
}

// Writes the observers' reports (--stats, --timeline, --timeline-svg) and turns a failure to write them into
// exit status 1 when the run itself went well.
int with_reports(cli::run_observers &observers, int status) {
  return observers.write_reports() || status != 0 ? status : 1;
}

int run(const cli::options &opts) {
  const cli::output_format format =
      opts.format.value_or(isatty(STDOUT_FILENO) ? cli::output_format::table : cli::output_format::ndjson);
  const bool colour = cli::colour_wanted(opts.color, isatty(STDOUT_FILENO) != 0, std::getenv("NO_COLOR"));
  cli::run_observers observers(opts, isatty(STDERR_FILENO) != 0);
  if (!observers.problem().empty()) {
    write_all(stderr, "artistfetch: " + observers.problem() + "\n");
    return 2;
  }
  if (!opts.compare) {
    cli::run_hooks hooks;
    if (!opts.sync) {  // --sync (like --compare) measures the network: no cache
      const std::string problem =
          cli::attach_configured_cache(hooks, opts, std::getenv("ARTISTFETCH_CACHE_DIR"));
      if (!problem.empty()) {
        write_all(stderr, "artistfetch: " + problem + "\n");
        return 2;
      }
    }
    if (opts.stream) cli::attach_record_stream(hooks, stdout);  // the records are printed as they finish
    observers.begin_run(opts.sync ? "sync" : "async", hooks);   // last: it erases the bar around the stream
    cli::run_report report = opts.sync ? cli::run_sync(opts, hooks) : cli::run_async(opts, hooks);
    observers.end_run(report);
    if (!opts.quiet) warn_if_unclean(report);
    if (!opts.stream) cli::write_report(stdout, report.records, format, colour);
    return with_reports(observers, exit_status(report));
  }
  cli::run_hooks sync_hooks;
  observers.begin_run("sync", sync_hooks);
  cli::run_report sync_report = cli::run_sync(opts, sync_hooks);
  observers.end_run(sync_report);
  if (sync_report.signal != 0) {  // interrupted: report what the sync run has, skip the async run
    cli::write_report(stdout, sync_report.records, format, colour);
    return with_reports(observers, exit_status(sync_report));
  }
  cli::run_hooks async_hooks;
  observers.begin_run("async", async_hooks);
  cli::run_report async_report = cli::run_async(opts, async_hooks);
  observers.end_run(async_report);
  if (!opts.quiet) warn_if_unclean(async_report);
  cli::write_report(stdout, async_report.records, format, colour);
  if (async_report.signal != 0) return with_reports(observers, exit_status(async_report));
  write_all(stderr, cli::render_timing_table(sync_report, async_report));
  std::vector<std::string> differing = cli::differing_artists(sync_report.records, async_report.records);
  if (!differing.empty()) {
    write_all(stderr, cli::describe_differences(differing));
    return with_reports(observers, 1);
  }
  return with_reports(observers, exit_status(async_report));
}

}  // namespace

int main(int argc, char **argv) {
  const cli::parse_outcome parsed = cli::parse_options(argc, argv, std::getenv("ARTISTFETCH_BASE_URL"));
  switch (parsed.kind) {
    case cli::parse_outcome::help: write_all(stdout, cli::help_text()); return 0;
    case cli::parse_outcome::version: write_all(stdout, "artistfetch " ARTISTFETCH_VERSION "\n"); return 0;
    case cli::parse_outcome::usage_error:
      write_all(stderr, "artistfetch: " + parsed.message + "\nTry 'artistfetch --help' for more information.\n");
      return 2;
    case cli::parse_outcome::run: break;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    write_all(stderr, "artistfetch: libcurl could not be initialised\n");
    return 1;
  }
  int status = 1;
  try {
    status = run(parsed.opts);
  } catch (const std::exception &error) {
    write_all(stderr, std::string("artistfetch: ") + error.what() + "\n");
  }
  curl_global_cleanup();
  return status;
}

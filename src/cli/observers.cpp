#include "cli/observers.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <utility>

#include "cli/run_stats.hpp"
#include "cli/terminal.hpp"
#include "cli/timeline.hpp"

namespace cli {
namespace {

void write_stderr(const std::string &text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

run_observers::run_observers(const options &opts, bool stderr_is_terminal)
    : opts_(opts),
      progress_(progress_wanted(opts, stderr_is_terminal)),
      recording_(opts.stats != stats_format::none || opts.timeline || !opts.timeline_svg.empty()) {
  if (opts.timeline_svg.empty()) return;
  svg_file_ = std::fopen(opts.timeline_svg.c_str(), "w");
  if (svg_file_ == nullptr)
    problem_ = "--timeline-svg: cannot write '" + opts.timeline_svg + "': " + std::strerror(errno);
}

run_observers::~run_observers() {
  if (svg_file_ != nullptr) std::fclose(svg_file_);
}

void run_observers::begin_run(const std::string &label, run_hooks &hooks) {
  log_.reset();
  bar_.reset();
  if (recording_) log_ = std::make_unique<run_log>(label, opts_.artists);
  if (progress_)
    bar_ = std::make_unique<progress_bar>(stderr, STDERR_FILENO, opts_.compare ? label : "",
                                          opts_.artists.size());
  if (!log_ && !bar_) return;
  run_log *log = log_.get();
  progress_bar *bar = bar_.get();
  hooks.request_started = chain(std::move(hooks.request_started), [log, bar](std::size_t index) {
    if (log) log->request_started(index);
    if (bar) bar->request_started();
  });
  hooks.request_finished =
      chain(std::move(hooks.request_finished), [log, bar](std::size_t index, CURL *easy, CURLcode result) {
        if (log) log->request_finished(index, easy, result);
        if (bar) bar->request_ended();
      });
  if (bar == nullptr) return;
  hooks.artist_finished = [previous = std::move(hooks.artist_finished), bar](
                              std::size_t index, const itunes::artist_record &record, std::string_view body) {
    if (previous) {
      bar->hide();
      previous(index, record, body);
    }
    bar->artist_done(record.ok);
  };
}

void run_observers::end_run(const run_report &report) {
  if (bar_) bar_->finish();
  bar_.reset();
  if (log_) runs_.push_back(log_->finish(report.wall_s));
  log_.reset();
}

bool run_observers::write_reports() {
  if (opts_.timeline) write_stderr(render_timeline_text(runs_, terminal_width(STDERR_FILENO, 80)));
  if (opts_.stats != stats_format::none) {
    std::vector<run_stats> stats;
    for (const run_record &run : runs_) stats.push_back(compute_stats(run));
    write_stderr(opts_.stats == stats_format::json ? render_stats_json(stats) : render_stats_text(stats));
  }
  if (svg_file_ == nullptr) return true;
  const std::string svg = render_timeline_svg(runs_);
  const bool written = std::fwrite(svg.data(), 1, svg.size(), svg_file_) == svg.size();
  const bool closed = std::fclose(svg_file_) == 0;
  svg_file_ = nullptr;
  if (written && closed) return true;
  write_stderr("artistfetch: --timeline-svg: cannot write '" + opts_.timeline_svg +
               "': " + std::strerror(errno) + "\n");
  return false;
}

}  // namespace cli

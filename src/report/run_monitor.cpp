#include "report/run_monitor.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "report/output.hpp"
#include "report/terminal.hpp"
#include "report/timeline.hpp"

namespace report {
// Moves the bar as the run goes.
class run_monitor::progress_observer : public engine::run_observer {
 public:
  explicit progress_observer(progress_bar &bar) : bar_(bar) {}
  void request_started(std::size_t) override { bar_.request_started(); }
  void request_finished(std::size_t, const engine::request_timings &) override { bar_.request_ended(); }
  void artist_finished(std::size_t, const itunes::artist_record &record, std::string_view) override {
    bar_.artist_done(record.ok);
  }

 private:
  progress_bar &bar_;
};

run_monitor::run_monitor(monitor_settings settings, const text::name_list &artists)
    : settings_(std::move(settings)),
      artists_(artists),
      recording_(settings_.stats != stats_format::none || settings_.timeline ||
                 !settings_.timeline_svg.empty()) {
  if (settings_.timeline_svg.empty()) return;
  svg_file_ = std::fopen(settings_.timeline_svg.c_str(), "w");
  if (svg_file_ == nullptr)
    problem_ = "--timeline-svg: cannot write '" + settings_.timeline_svg + "': " + std::strerror(errno);
}

run_monitor::~run_monitor() {
  if (svg_file_ != nullptr) std::fclose(svg_file_);
}

void run_monitor::begin_run(const std::string &label, engine::run_hooks &hooks) {
  log_.reset();
  bar_observer_.reset();
  bar_.reset();
  if (recording_) {
    log_ = std::make_unique<run_log>(label, artists_);
    hooks.observers.push_back(log_.get());
  }
  if (settings_.progress) {
    bar_ = std::make_unique<progress_bar>(stderr, STDERR_FILENO, settings_.label_bar ? label : "",
                                          artists_.size());
    bar_observer_ = std::make_unique<progress_observer>(*bar_);
    hooks.observers.push_back(bar_observer_.get());
  }
}

void run_monitor::end_run(const engine::run_report &report) {
  if (bar_) bar_->finish();
  bar_observer_.reset();
  bar_.reset();
  failed_artists_ = 0;
  for (std::size_t i = 0; i < report.records.size(); ++i) failed_artists_ += report.records.ok(i) ? 0 : 1;
  artists_in_run_ = report.records.size();
  if (log_) runs_.push_back(log_->finish(report.wall_s));
  log_.reset();
}

std::string run_monitor::write_reports() {
  std::string problem;
  const auto write_stderr = [&problem](const char *what, const std::string &text) {
    const int error = write_text(stderr, text);
    if (error != 0 && problem.empty())
      problem = std::string("cannot write ") + what + ": " + std::strerror(error);
  };
  if (settings_.timeline)
    write_stderr("--timeline", render_timeline_text(runs_, terminal_width(STDERR_FILENO, 80)));
  if (settings_.stats != stats_format::none) {
    std::vector<run_stats> stats;
    for (const run_record &run : runs_) stats.push_back(compute_stats(run));
    write_stderr("--stats",
                 settings_.stats == stats_format::json ? render_stats_json(stats) : render_stats_text(stats));
  }
  if (svg_file_ == nullptr) return problem;
  const std::string svg = render_timeline_svg(runs_);
  int error = write_text(svg_file_, svg);
  errno = 0;
  // The close is checked too: a full disk (or NFS) may report the failure only there.
  if (std::fclose(svg_file_) != 0 && error == 0) error = errno != 0 ? errno : EIO;
  svg_file_ = nullptr;
  if (error != 0 && problem.empty())
    problem = "--timeline-svg: cannot write '" + settings_.timeline_svg + "': " + std::strerror(error);
  return problem;
}

}  // namespace report

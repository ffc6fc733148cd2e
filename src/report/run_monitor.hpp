// What a run shows besides its report: the progress bar, --stats and --timeline / --timeline-svg. main()
// makes one run_monitor, lets it add its observers before each run, tells it when each run ends, and asks
// for its reports at the very end. With none of those features on, it adds no observer at all, so a run
// pays nothing per request.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/observer.hpp"
#include "report/progress.hpp"
#include "report/run_log.hpp"
#include "report/run_stats.hpp"

namespace report {

struct monitor_settings {
  bool progress = false;   // draw a bar during each run (the caller decided: see progress_wanted())
  bool label_bar = false;  // name the run on the bar ("sync", "async"): two runs follow each other
  stats_format stats = stats_format::none;
  bool timeline = false;     // --timeline on stderr
  std::string timeline_svg;  // --timeline-svg FILE; empty: none
};

class run_monitor {
 public:
  // Creates the --timeline-svg file at once, so that a path that cannot be written fails before any
  // request: problem() then says why. `artists` are the runs' artists, by index; they must outlive the
  // monitor (a run log copies them only when statistics or timelines are asked for).
  run_monitor(monitor_settings settings, const text::name_list &artists);
  ~run_monitor();
  run_monitor(const run_monitor &) = delete;
  run_monitor &operator=(const run_monitor &) = delete;

  // Empty, or why the monitor cannot work ("--timeline-svg: cannot write 'x': Permission denied").
  const std::string &problem() const { return problem_; }

  // Adds the observers of the next run, labelled `label` ("sync" or "async"), to `hooks`, which must not be
  // used after end_run().
  void begin_run(const std::string &label, engine::run_hooks &hooks);

  // The progress bar of the run that began last, or null: for output that must erase it first.
  progress_bar *bar() { return bar_.get(); }

  // The run that began last is over: erases the progress bar and keeps the run's requests for the reports.
  void end_run(const engine::run_report &report);

  // Of the run that ended last (whose report is the one written): its artists whose record is an error, and
  // all its artists.
  std::size_t failed_artists() const { return failed_artists_; }
  std::size_t artists_in_run() const { return artists_in_run_; }

  // Writes --timeline and --stats on stderr and the --timeline-svg file, every write, flush and close
  // checked. Returns an empty string, or why the first that failed could not be written.
  std::string write_reports();

 private:
  class progress_observer;

  monitor_settings settings_;
  const text::name_list &artists_;
  bool recording_ = false;  // keep a run_log of each run
  std::string problem_;
  std::FILE *svg_file_ = nullptr;
  std::unique_ptr<progress_bar> bar_;
  std::unique_ptr<engine::run_observer> bar_observer_;
  std::unique_ptr<run_log> log_;
  std::vector<run_record> runs_;
  std::size_t failed_artists_ = 0;
  std::size_t artists_in_run_ = 0;
};

}  // namespace report

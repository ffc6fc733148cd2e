// What a run shows besides its report: the progress bar, --stats and --timeline / --timeline-svg. main()
// makes one run_observers, lets it add its hooks before each run, tells it when each run ends, and asks for
// its reports at the very end. With none of those features on, it adds no hook at all, so a run pays
// nothing per request.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "cli/run_log.hpp"
#include "cli/runners.hpp"

namespace cli {

class run_observers {
 public:
  // Decides what is on from `opts` and whether stderr is a terminal (for the progress bar). Creates the
  // --timeline-svg file at once, so that a path that cannot be written fails before any request: problem()
  // then says why. `opts` must outlive this object.
  run_observers(const options &opts, bool stderr_is_terminal);
  ~run_observers();
  run_observers(const run_observers &) = delete;
  run_observers &operator=(const run_observers &) = delete;

  // Empty, or why the observers cannot work ("--timeline-svg: cannot write 'x': Permission denied").
  const std::string &problem() const { return problem_; }

  // Adds the observers of the next run, labelled `label` ("sync" or "async"), to `hooks`. Any hook already
  // in `hooks` is kept and runs first; before an existing artist_finished (streaming output) the progress
  // bar is erased, so that the two never share a line. Call it once the other hooks are set; `hooks` must
  // not be used after end_run().
  void begin_run(const std::string &label, run_hooks &hooks);

  // The run that began last is over: erases the progress bar and keeps the run's requests for the reports.
  void end_run(const run_report &report);

  // Writes --timeline and --stats on stderr and the --timeline-svg file. Returns false when the SVG could
  // not be written, after saying so on stderr.
  bool write_reports();

 private:
  const options &opts_;
  bool progress_ = false;   // draw a bar during each run
  bool recording_ = false;  // keep a run_log of each run
  std::string problem_;
  std::FILE *svg_file_ = nullptr;
  std::unique_ptr<progress_bar> bar_;
  std::unique_ptr<run_log> log_;
  std::vector<run_record> runs_;
};

}  // namespace cli

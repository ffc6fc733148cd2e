// Command-line options of artistfetch: what the parser produces from argv (see option_table.hpp for the
// options themselves). No I/O besides reading --input.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/name_input.hpp"
#include "itunes/matching.hpp"
#include "itunes/query.hpp"
#include "report/output.hpp"
#include "report/run_stats.hpp"
#include "report/terminal.hpp"
#include "text/name_list.hpp"

namespace cli {

using report::color_mode;
using report::output_format;
using report::stats_format;

struct options {
  text::name_list artists;  // deduplicated, first position kept, blank lines skipped
  std::string base_url = "https://itunes.apple.com/search";
  itunes::query_params query;
  bool sync = false;
  bool compare = false;
  int concurrency = 50;
  int threads = 0;  // --threads: event loops side by side; 0: automatic (see shard_count in the runner)
  double timeout_s = 30;
  double connect_timeout_s = 10;
  double stall_timeout_s = 10;  // --stall-timeout: abort a transfer slower than 100 bytes/s for this long
  std::string cacert;           // empty: the system's CAs
  std::optional<output_format> format;  // nullopt: table on a terminal, else ndjson

  // Faults and limits.
  int retries = 3;
  std::vector<long> retry_on;   // HTTP statuses retried, ascending, distinct; see default_retry_statuses()
  bool retry_on_given = false;  // --retry-on replaced the default list
  double backoff_base_s = 0.5;
  double backoff_cap_s = 30;
  double max_retry_after_s = 60;
  double max_throttled_s = 90;  // 0: never give up on a throttling server
  double rate_per_min = 0;  // 0: unlimited; see effective defaults in the runner
  bool rate_given = false;
  long long max_body = 8LL * 1024 * 1024;

  // Matching, streaming and the response cache (src/itunes/matching.hpp, src/cache/response_cache.hpp).
  itunes::match_mode match = itunes::match_mode::exact;
  bool stream = false;            // --stream: print each ndjson record as its artist finishes
  std::string cache_dir;          // --cache-dir; empty: main() uses $ARTISTFETCH_CACHE_DIR, else no cache
  bool no_cache = false;          // --no-cache: no cache for this run, whatever $ARTISTFETCH_CACHE_DIR says
  long long cache_ttl_s = 86400;  // --cache-ttl; 0: no entry is ever fresh (refetch, still store)

  // Progress, statistics, timelines and colors (src/report/terminal.hpp, src/report/run_monitor.hpp).
  std::optional<bool> progress;  // --progress / --no-progress; nullopt: on when stderr is a terminal
  bool quiet = false;            // --quiet: no progress bar unless --progress, no warnings
  color_mode color = color_mode::automatic;
  stats_format stats = stats_format::none;
  bool timeline = false;     // --timeline: a waterfall of the requests on stderr
  std::string timeline_svg;  // --timeline-svg FILE; empty: none
};

struct parse_outcome {
  enum kind_t { run, help, version, usage_error } kind = run;
  options opts;
  std::string message;  // usage_error: what is wrong, naming the argument
};

// Parses argv (argv[0] is the program name). `environment_base_url` is ARTISTFETCH_BASE_URL or null.
// Reads names from --input FILE ('-' for stdin). Every bad argument, value or name is a usage_error whose
// message names it and says why.
parse_outcome parse_options(int argc, const char *const *argv, const char *environment_base_url);

// The same, reading `--input -` from `standard_input` instead of std::cin (for tests and the fuzzer).
parse_outcome parse_options(int argc, const char *const *argv, const char *environment_base_url,
                            std::istream &standard_input);

}  // namespace cli

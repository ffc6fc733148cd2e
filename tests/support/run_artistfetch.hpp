// Test support: the one way tests run the artistfetch binary.
#pragma once

#include <string>
#include <vector>

#include "fixture_server.hpp"

namespace test_support {

struct artistfetch_run {
  std::vector<std::string> env;  // "K=V" added, "K" removed (run_command's extra_env)
  std::string stdin_data;
  double timeout_s = 60;
  int send_signal = 0;  // sent after send_after_s seconds, when not 0
  double send_after_s = 0;
  unsigned long address_space_kib = 0;  // when not 0, the program runs under `ulimit -v` this many KiB
};

// Runs the program under test (program_path()) with `args`. The cache and the endpoint come only from the
// arguments and `run.env`, whatever the developer's environment says: ARTISTFETCH_CACHE_DIR and
// ARTISTFETCH_BASE_URL are removed first.
command_result run_artistfetch(const std::vector<std::string> &args, const artistfetch_run &run = {});

// The same with extra environment entries only.
inline command_result run_artistfetch(const std::vector<std::string> &args,
                                      const std::vector<std::string> &env) {
  artistfetch_run run;
  run.env = env;
  return run_artistfetch(args, run);
}

}  // namespace test_support

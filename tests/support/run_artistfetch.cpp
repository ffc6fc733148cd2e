#include "run_artistfetch.hpp"

namespace test_support {

command_result run_artistfetch(const std::vector<std::string> &args, const artistfetch_run &run) {
  std::vector<std::string> argv{program_path()};
  if (run.address_space_kib != 0)  // the shell sets the limit, then becomes the program: "$0" is its path
    argv = {"/bin/bash", "-c",
            "ulimit -v " + std::to_string(run.address_space_kib) + " && exec \"$0\" \"$@\"", program_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> environment{"ARTISTFETCH_CACHE_DIR", "ARTISTFETCH_BASE_URL"};
  environment.insert(environment.end(), run.env.begin(), run.env.end());
  return run_command(argv, run.stdin_data, run.timeout_s, environment, run.send_signal, run.send_after_s);
}

}  // namespace test_support

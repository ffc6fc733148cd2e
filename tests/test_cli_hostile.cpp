// artistfetch in a hostile environment, end to end: output that cannot be written, standard descriptors
// closed, files that would block, signals at every phase.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

namespace {

using test_support::command_result;
using test_support::fixture_server;
using test_support::lines_of;

// Runs `script` under bash with the program as $1 and `args` after it ("$@" after a shift), so that a test
// can redirect or close descriptors as a user's shell would. ARTISTFETCH_* settings of the developer's
// environment are removed, as run_artistfetch does.
command_result run_in_shell(const std::string &script, const std::vector<std::string> &args,
                            double send_after_s = 0, int send_signal = 0, const std::string &stdin_data = "") {
  std::vector<std::string> argv{"/bin/bash", "-c", "p=$1; shift; " + script, "bash",
                                test_support::program_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test_support::run_command(argv, stdin_data, 60, {"ARTISTFETCH_CACHE_DIR", "ARTISTFETCH_BASE_URL"},
                                   send_signal, send_after_s);
}

std::vector<std::string> lookup_args(const fixture_server &server, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--base-url", server.base_url(), "--no-progress", "Billie Eilish", "Lorde"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct temp_dir {
  std::string path;
  temp_dir() {
    char name[] = "/tmp/artistfetch-hostile-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path = name;
  }
  ~temp_dir() { std::system(("umount -q '" + path + "' 2>/dev/null; rm -rf '" + path + "'").c_str()); }
};

const std::string no_space = "artistfetch: cannot write the report: No space left on device\n";

}  // namespace

TEST_SUITE("cli hostile") {
  TEST_CASE("a report written to /dev/full is a failure with one message, in every format and with --stream") {
    fixture_server server;
    for (const std::vector<std::string> &format :
         {std::vector<std::string>{"--format", "ndjson"}, {"--format", "json"}, {"--format", "table"},
          {"--stream"}}) {
      CAPTURE(format[0]);
      const command_result run = run_in_shell("exec \"$p\" \"$@\" > /dev/full", lookup_args(server, format));
      CHECK(run.exit_code == 3);
      CHECK(run.err == no_space);
    }
  }

  TEST_CASE("--stats and --timeline written to a full stderr fail the run too") {
    fixture_server server;
    for (const std::string flag : {"--stats", "--stats=json", "--timeline"}) {
      CAPTURE(flag);
      const command_result run = run_in_shell("exec \"$p\" \"$@\" 2> /dev/full", lookup_args(server, {flag}));
      CHECK(run.exit_code == 3);
      CHECK(lines_of(run.out).size() == 2);  // the report itself was written
    }
  }

  TEST_CASE("--help and --version on a full stdout fail") {
    for (const std::string flag : {"--help", "--version"}) {
      const command_result run = run_in_shell("exec \"$p\" \"$@\" > /dev/full", {flag});
      CHECK(run.exit_code == 3);
      CHECK(run.err == "artistfetch: cannot write the help: No space left on device\n");
    }
  }

  TEST_CASE("a full disk fails the report and --timeline-svg") {
    temp_dir dir;
    if (::mount("tmpfs", dir.path.c_str(), "tmpfs", 0, "size=64k") != 0) {
      MESSAGE("skipped: cannot mount a 64 KiB tmpfs here (needs root)");
      return;
    }
    // Fill the file system, so that any later write finds no space.
    std::system(("dd if=/dev/zero of='" + dir.path + "/filler' bs=4k 2>/dev/null").c_str());
    fixture_server server;
    const command_result run = test_support::run_command(
        {"/bin/bash", "-c", "p=$1; d=$2; shift 2; exec \"$p\" \"$@\" > \"$d/report.ndjson\"", "bash",
         test_support::program_path(), dir.path, "--base-url", server.base_url(), "--no-progress",
         "Billie Eilish", "Lorde"});
    CHECK(run.exit_code == 3);
    CHECK(run.err == no_space);
    const command_result svg = test_support::run_command(
        {test_support::program_path(), "--base-url", server.base_url(), "--no-progress", "--timeline-svg",
         dir.path + "/run.svg", "Billie Eilish", "Lorde"});
    CHECK(svg.exit_code == 3);
    CHECK(svg.err == "artistfetch: --timeline-svg: cannot write '" + dir.path +
                         "/run.svg': No space left on device\n");
    CHECK(lines_of(svg.out).size() == 2);
  }

  TEST_CASE("a closed pipe with SIGPIPE ignored is a failure with one message") {
    fixture_server server;
    for (const std::string flag : {"--format=ndjson", "--stream"}) {
      CAPTURE(flag);
      // The reader is gone before the program writes: `exit` closes the pipe at once.
      const command_result run =
          run_in_shell("trap '' PIPE; \"$p\" \"$@\" | exit 0; exit ${PIPESTATUS[0]}", lookup_args(server, {flag}));
      CHECK(run.exit_code == 3);
      CHECK(run.err == "artistfetch: cannot write the report: Broken pipe\n");
    }
  }

  TEST_CASE("started with stdin, stdout or stderr closed, it does not abort") {
    fixture_server server;
    const command_result no_stdin = run_in_shell("exec \"$p\" \"$@\" <&-", lookup_args(server));
    CHECK(no_stdin.exit_code == 0);
    CHECK(lines_of(no_stdin.out).size() == 2);
    CHECK(no_stdin.err.empty());

    const command_result no_stderr = run_in_shell("exec \"$p\" \"$@\" 2>&-", lookup_args(server));
    CHECK(no_stderr.exit_code == 0);
    CHECK(lines_of(no_stderr.out).size() == 2);

    const command_result no_stdout = run_in_shell("exec \"$p\" \"$@\" >&-", lookup_args(server));
    CHECK(no_stdout.exit_code == 3);
    CHECK(no_stdout.err == "artistfetch: cannot write the report: standard output is closed\n");
    CHECK(server.total_requests() == 4);  // none for the run without stdout

    const command_result all_closed = run_in_shell("exec \"$p\" \"$@\" <&- >&- 2>&-", lookup_args(server));
    CHECK(all_closed.exit_code == 3);

    // --input - on a closed stdin reads no names: the names of the command line are still looked up.
    const command_result input_closed =
        run_in_shell("exec \"$p\" \"$@\" <&-", lookup_args(server, {"--input", "-"}));
    CHECK(input_closed.exit_code == 0);
    CHECK(lines_of(input_closed.out).size() == 2);
  }
}

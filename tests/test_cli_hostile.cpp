// artistfetch in a hostile environment, end to end: output that cannot be written, standard descriptors
// closed, files that would block, signals at every phase.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "cache/response_cache.hpp"
#include "cli/run_plan.hpp"
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
                            double send_after_s = 0, int send_signal = 0, const std::string &stdin_data = "",
                            double timeout_s = 60) {
  std::vector<std::string> argv{"/bin/bash", "-c", "p=$1; shift; " + script, "bash",
                                test_support::program_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return test_support::run_command(argv, stdin_data, timeout_s,
                                   {"ARTISTFETCH_CACHE_DIR", "ARTISTFETCH_BASE_URL"}, send_signal,
                                   send_after_s);
}

std::vector<std::string> lookup_args(const fixture_server &server, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--base-url", server.base_url(), "--no-progress", "Billie Eilish", "Lorde"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// A 64 KiB tmpfs mounted on a fresh directory (needs root), unmounted at the end.
class small_tmpfs {
 public:
  small_tmpfs() : mounted_(::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, "size=64k") == 0) {}
  ~small_tmpfs() {
    if (mounted_) ::umount(dir_.path().c_str());
  }
  bool mounted() const { return mounted_; }
  const std::string &path() const { return dir_.path(); }

 private:
  test_support::temp_dir dir_;
  bool mounted_;
};

const std::string no_space = "artistfetch: cannot write the report: No space left on device\n";

}  // namespace

TEST_SUITE("cli hostile") {
  TEST_CASE(
      "a report written to /dev/full is a failure with one message, in every format and with --stream") {
    fixture_server server;
    for (const std::vector<std::string> &format : {std::vector<std::string>{"--format", "ndjson"},
                                                   {"--format", "json"},
                                                   {"--format", "table"},
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
    small_tmpfs disk;
    if (!disk.mounted()) {
      MESSAGE("skipped: cannot mount a 64 KiB tmpfs here (needs root)");
      return;
    }
    // Fill the file system, so that any later write finds no space.
    CHECK(std::system(("dd if=/dev/zero of='" + disk.path() + "/filler' bs=4k 2>/dev/null").c_str()) != 0);
    fixture_server server;
    const command_result run = test_support::run_command(
        {"/bin/bash", "-c", "p=$1; d=$2; shift 2; exec \"$p\" \"$@\" > \"$d/report.ndjson\"", "bash",
         test_support::program_path(), disk.path(), "--base-url", server.base_url(), "--no-progress",
         "Billie Eilish", "Lorde"});
    CHECK(run.exit_code == 3);
    CHECK(run.err == no_space);
    const command_result svg = test_support::run_command(
        {test_support::program_path(), "--base-url", server.base_url(), "--no-progress", "--timeline-svg",
         disk.path() + "/run.svg", "Billie Eilish", "Lorde"});
    CHECK(svg.exit_code == 3);
    CHECK(svg.err == "artistfetch: --timeline-svg: cannot write '" + disk.path() +
                         "/run.svg': No space left on device\n");
    CHECK(lines_of(svg.out).size() == 2);
  }

  TEST_CASE("a closed pipe with SIGPIPE ignored is a failure with one message") {
    fixture_server server;
    for (const std::string flag : {"--format=ndjson", "--stream"}) {
      CAPTURE(flag);
      // The reader is gone before the program writes: `exit` closes the pipe at once.
      const command_result run = run_in_shell("trap '' PIPE; \"$p\" \"$@\" | exit 0; exit ${PIPESTATUS[0]}",
                                              lookup_args(server, {flag}));
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

TEST_SUITE("cli hostile files") {
  // Bounded, so that a regression shows as a failure rather than a hang.
  command_result run_bounded(const std::vector<std::string> &args) {
    test_support::artistfetch_run run;
    run.timeout_s = 20;
    return test_support::run_artistfetch(args, run);
  }

  TEST_CASE("a FIFO, a device or a directory as --cacert or --input is refused at once") {
    test_support::temp_dir dir;
    const std::string fifo = dir / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const command_result cacert = run_bounded({"--cacert", fifo, "A"});
    CHECK_FALSE(cacert.timed_out);
    CHECK(cacert.exit_code == 2);
    CHECK(cacert.err.find("artistfetch: --cacert: cannot use '" + fifo +
                          "': it is a FIFO, not a regular file\n") == 0);
    const command_result device = run_bounded({"--cacert", "/dev/null", "A"});
    CHECK(device.exit_code == 2);
    CHECK(device.err.find("it is a character device, not a regular file") != std::string::npos);

    const command_result input = run_bounded({"--input", fifo});
    CHECK_FALSE(input.timed_out);
    CHECK(input.exit_code == 2);
    CHECK(input.err.find("artistfetch: --input: cannot read '" + fifo +
                         "': it is a FIFO, not a regular file\n") == 0);
    const command_result zero = run_bounded({"--input", "/dev/zero"});
    CHECK(zero.exit_code == 2);
    CHECK(zero.err.find("artistfetch: --input: cannot read '/dev/zero': it is a character device") == 0);
  }

  // The one entry a run for `name` leaves in `cache`.
  std::string only_entry(const test_support::temp_dir &cache) {
    const std::vector<std::string> files = cache.files();
    REQUIRE(files.size() == 1);
    return cache / files[0];
  }

  std::vector<std::string> cached_run(const fixture_server &server, const test_support::temp_dir &cache,
                                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--base-url", server.base_url(), "--cache-dir",
                                  cache.path(), "--no-progress",   "Lorde"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  TEST_CASE("a cache entry that is a FIFO, a directory or a link is refetched, with one warning") {
    fixture_server server;
    test_support::temp_dir cache;
    REQUIRE(run_bounded(cached_run(server, cache)).exit_code == 0);
    const std::string entry = only_entry(cache);
    struct replacement {
      const char *kind;
      std::string warning;
    };
    for (const replacement &with :
         {replacement{"fifo", "is not a regular file"}, replacement{"dir", "is not a regular file"},
          replacement{"link", "is a symbolic link"}}) {
      CAPTURE(with.kind);
      std::remove(entry.c_str());
      ::rmdir(entry.c_str());
      if (std::string(with.kind) == "fifo") REQUIRE(::mkfifo(entry.c_str(), 0600) == 0);
      if (std::string(with.kind) == "dir") REQUIRE(::mkdir(entry.c_str(), 0700) == 0);
      if (std::string(with.kind) == "link") REQUIRE(::symlink("/dev/zero", entry.c_str()) == 0);
      server.reset();
      const command_result run = run_bounded(cached_run(server, cache));
      CHECK_FALSE(run.timed_out);
      CHECK(run.exit_code == 0);
      CHECK(server.requests_for("Lorde") == 1);
      CHECK(run.err ==
            "artistfetch: warning: the cache entry '" + entry + "' " + with.warning + ": ignored\n");
    }
  }

  TEST_CASE("a cache entry another user owns or can write, or larger than --max-body, is not served") {
    fixture_server server;
    test_support::temp_dir cache;
    REQUIRE(run_bounded(cached_run(server, cache)).exit_code == 0);
    const std::string entry = only_entry(cache);

    REQUIRE(::chmod(entry.c_str(), 0666) == 0);
    server.reset();
    command_result run = run_bounded(cached_run(server, cache));
    CHECK(run.exit_code == 0);
    CHECK(server.requests_for("Lorde") == 1);
    CHECK(run.err ==
          "artistfetch: warning: the cache entry '" + entry + "' is writable by other users: ignored\n");

    if (::geteuid() == 0) {  // only root can give a file away
      REQUIRE(::chown(entry.c_str(), 65534, 65534) == 0);
      server.reset();
      run = run_bounded(cached_run(server, cache));
      CHECK(server.requests_for("Lorde") == 1);
      CHECK(run.err ==
            "artistfetch: warning: the cache entry '" + entry + "' belongs to another user: ignored\n");
    }

    // The entry now is fine again (rewritten by the last run): served, until --max-body is below its body.
    server.reset();
    run = run_bounded(cached_run(server, cache));
    CHECK(server.requests_for("Lorde") == 0);
    CHECK(run.err.empty());
    REQUIRE(test_support::read_file(entry).size() > 2048);  // the body alone is well over 1 KiB
    run = run_bounded(cached_run(server, cache, {"--max-body", "1024"}));
    CHECK(server.requests_for("Lorde") == 1);
    CHECK(run.exit_code == 1);  // the fresh answer is over the limit too
    CHECK(run.err.find("artistfetch: warning: the cache entry '" + entry +
                       "' is larger than --max-body: ignored\n") != std::string::npos);
  }

  TEST_CASE("a cache directory other users can write is not used at all, with one warning") {
    fixture_server server;
    test_support::temp_dir cache;
    REQUIRE(run_bounded(cached_run(server, cache)).exit_code == 0);
    REQUIRE(::chmod(cache.path().c_str(), 0777) == 0);
    server.reset();
    const command_result run = run_bounded(cached_run(server, cache));
    CHECK(run.exit_code == 0);
    CHECK(server.requests_for("Lorde") == 1);
    CHECK(run.err == "artistfetch: warning: the cache directory '" + cache.path() +
                         "' is writable by other users: not used (chmod go-w it)\n");
  }

  TEST_CASE("credentials in the base URL are never written into the cache") {
    fixture_server server;
    test_support::temp_dir cache;
    const std::string url = server.base_url();
    const std::string with_password = "http://someone:s3cr3t@" + url.substr(std::string("http://").size());
    std::vector<std::string> args{"--base-url", with_password,   "--cache-dir",
                                  cache.path(), "--no-progress", "Lorde"};
    REQUIRE(run_bounded(args).exit_code == 0);
    const std::string stored = test_support::read_file(only_entry(cache));
    CHECK(stored.find(url.substr(std::string("http://").size())) != std::string::npos);
    CHECK(stored.find("s3cr3t") == std::string::npos);
    CHECK(stored.find("someone") == std::string::npos);
    server.reset();
    const command_result again = run_bounded(args);  // still served from the entry
    CHECK(server.requests_for("Lorde") == 0);
    CHECK(again.out.find("\"attempts\":0") != std::string::npos);
  }
}

TEST_SUITE("cli hostile signals") {
  struct stop_signal {
    int number;
    int status;
  };
  const stop_signal stop_signals[] = {{SIGINT, 130}, {SIGTERM, 143}, {SIGHUP, 129}};

  // Every line a record of `names` in order, each "cancelled" unless answered (ok) before the signal.
  void check_records(const std::string &out, const std::vector<std::string> &names,
                     std::size_t *ok = nullptr) {
    const std::vector<std::string> lines = lines_of(out);
    REQUIRE(lines.size() == names.size());
    std::size_t answered = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const rapidjson::Document record = test_support::parse_line(lines[i]);
      REQUIRE(std::string(record["artist"].GetString()) == names[i]);
      if (std::string(record["status"].GetString()) == "ok") {
        ++answered;
      } else {
        CHECK(std::string(record["error"].GetString()).rfind("cancelled", 0) == 0);
      }
    }
    if (ok != nullptr) *ok = answered;
  }

  TEST_CASE("a stop signal while stdin is read prints a record per name read so far") {
    fixture_server server;
    for (const stop_signal &stop : stop_signals) {
      CAPTURE(stop.number);
      // The names arrive, then stdin stays open and silent.
      const command_result run = run_in_shell(
          "exec \"$p\" \"$@\" --input - < <(printf 'Lorde\\nDua Lipa\\n'; exec sleep 30)",
          {"--base-url", server.base_url(), "--no-progress", "Billie Eilish"}, 1.5, stop.number, "", 20);
      CHECK_FALSE(run.timed_out);
      CHECK(run.exit_code == stop.status);
      check_records(run.out, {"Billie Eilish", "Lorde", "Dua Lipa"});
      CHECK(server.total_requests() == 0);
    }
  }

  TEST_CASE("a stop signal in the middle of a run, SIGHUP included, in both runners") {
    fixture_server server;
    for (const std::string mode : {"--threads=1", "--threads=2", "--sync"}) {
      for (const stop_signal &stop : stop_signals) {
        CAPTURE(mode);
        CAPTURE(stop.number);
        test_support::artistfetch_run run;
        run.timeout_s = 20;
        run.send_signal = stop.number;
        run.send_after_s = 1;
        const command_result result = test_support::run_artistfetch(
            {"--base-url", server.base_url(), "--no-progress", mode, "Lorde", "@hang Waiting", "Dua Lipa"},
            run);
        CHECK(result.exit_code == stop.status);
        std::size_t ok = 0;
        check_records(result.out, {"Lorde", "@hang Waiting", "Dua Lipa"}, &ok);
        CHECK(ok == (mode == "--sync" ? 1 : 2));  // the sync runner never gets past the hanging artist
      }
    }
  }

  // 20,000 names, not the 100,000 of issue 12 that made the phase long enough to hit by hand: strace puts the
  // signal inside the phase whatever its length, and the suite's 60 s watchdog bounds the test.
  TEST_CASE("a stop signal while 20,000 cached names are looked up prints every name once") {
    test_support::temp_dir cache;
    std::vector<std::string> names;
    for (int i = 0; i < 20000; ++i) names.push_back("Cached Artist " + std::to_string(i));
    // The entries are written the way a run would; the endpoint itself never answers (nothing listens).
    cli::options opts;
    opts.base_url = "http://127.0.0.1:9/search";
    opts.artists = names;
    const cache::response_cache store(cache.path(), 86400);
    const std::time_t now = std::time(nullptr);
    const engine::run_plan plan = cli::make_run_plan(opts);
    for (std::size_t index = 0; index < plan.artists.size(); ++index)
      REQUIRE(store.store(engine::query_url(plan, index), "{\"resultCount\":0,\"results\":[]}", now).empty());
    std::string input;
    for (const std::string &name : names) input += name + "\n";
    std::ofstream(cache / "names.txt") << input;

    if (std::system("command -v strace >/dev/null 2>&1") != 0) {
      MESSAGE("skipped: strace is not installed (scripts/install-deps installs it)");
      return;
    }
    // strace sends SIGTERM on the 10,000th open: in the middle of the cache's answers, whatever the speed.
    const command_result result = test_support::run_command(
        {"/usr/bin/strace", "-f", "-o", "/dev/null", "-e", "trace=openat", "-e",
         "inject=openat:signal=SIGTERM:when=10000", test_support::program_path(), "--base-url", opts.base_url,
         "--no-progress", "--cache-dir", cache.path(), "--input", cache / "names.txt"},
        "", 120,
        // LeakSanitizer cannot work under a tracer (a sanitized build would fail for that alone).
        {"ARTISTFETCH_CACHE_DIR", "ARTISTFETCH_BASE_URL", "ASAN_OPTIONS=detect_leaks=0"});
    std::size_t ok = 0;
    check_records(result.out, names, &ok);
    MESSAGE(ok << " of 20,000 names answered from the cache before SIGTERM");
    CHECK(result.exit_code == 143);
    CHECK(ok > 0);
    CHECK(ok < names.size());
  }
}

TEST_SUITE("cli hostile limits") {
  std::vector<std::string> many_names(const fixture_server &server, int count) {
    std::vector<std::string> args{"--base-url", server.base_url(), "--no-progress", "--concurrency", "500"};
    for (int i = 0; i < count; ++i) args.push_back("Artist " + std::to_string(i));
    return args;
  }

  std::size_t ok_records(const std::string &out) {
    std::size_t ok = 0;
    for (const std::string &line : lines_of(out))
      if (line.find("\"status\":\"ok\"") != std::string::npos) ++ok;
    return ok;
  }

  TEST_CASE(
      "--concurrency above a hard open-file limit of 64 is capped with a warning, and every artist is ok") {
    fixture_server server;
    const command_result run = run_in_shell("ulimit -n 64 && exec \"$p\" \"$@\"", many_names(server, 2000));
    CHECK(run.exit_code == 0);
    CHECK(ok_records(run.out) == 2000);
    CHECK(run.err ==
          "artistfetch: warning: --concurrency 500 needs more open files than the limit of 64 allows: "
          "8 at once (raise it with ulimit -n)\n");
  }

  TEST_CASE("a low soft open-file limit is raised to the hard one, silently") {
    fixture_server server;
    const command_result run =
        run_in_shell("ulimit -Sn 64 && ulimit -Hn 4096 && exec \"$p\" \"$@\"", many_names(server, 2000));
    CHECK(run.exit_code == 0);
    CHECK(ok_records(run.out) == 2000);
    CHECK(run.err.empty());
  }
}

TEST_SUITE("cli hostile base url") {
  TEST_CASE("a base URL that cannot serve as the search endpoint is a usage error before any request") {
    fixture_server server;
    const std::string base = server.base_url();  // http://127.0.0.1:PORT/search
    const std::string authority = base.substr(std::string("http://").size(), base.rfind('/') - 7);
    struct bad_url {
      std::string url;
      std::string why;
    };
    const bad_url cases[] = {
        {base + "#top", "has a fragment (#...), which is never sent"},
        {base + "#", "has a fragment (#...), which is never sent"},
        {base + "?term=x", "already has a term parameter (artistfetch adds the name as term)"},
        {base + "?country=us&term", "already has a term parameter (artistfetch adds the name as term)"},
        {"http://127.0.0.1:99999/search",
         "is not a valid URL (Port number was not a decimal number between 0 and 65535)"},
        {"http://127.0.0.1:0/search", "has port 0, where no server listens"},
        {"https:///search", "has no host"},
        {"http://[::1/search", "has unbalanced brackets"},
        {"http://" + authority + "/se]arch", "has unbalanced brackets"},
    };
    for (const bad_url &bad : cases) {
      CAPTURE(bad.url);
      for (const bool from_environment : {false, true}) {
        const command_result run =
            from_environment
                ? test_support::run_artistfetch({"--no-progress", "Lorde"},
                                                {"ARTISTFETCH_BASE_URL=" + bad.url})
                : test_support::run_artistfetch({"--base-url", bad.url, "--no-progress", "Lorde"});
        CHECK(run.exit_code == 2);
        CHECK(run.out.empty());
        const std::string label = from_environment ? "ARTISTFETCH_BASE_URL: " : "--base-url: ";
        CHECK(lines_of(run.err).at(0) == "artistfetch: " + label + "'" + bad.url + "' " + bad.why);
      }
    }
    CHECK(server.total_requests() == 0);
    // Other query parameters are kept, before the name.
    const command_result kept =
        test_support::run_artistfetch({"--base-url", base + "?terms=1", "--no-progress", "Lorde"});
    CHECK(kept.exit_code == 0);
    CHECK(server.total_requests() == 1);
    CHECK(server.requests_for("Lorde") == 1);
  }
}

TEST_SUITE("cli hostile input") {
  TEST_CASE(
      "a byte order mark never counts toward the name limit, at the start of the input or of any line") {
    fixture_server server;
    const std::string bom = "\xEF\xBB\xBF";
    const std::string longest(1000, 'a');  // exactly the limit
    // Two files concatenated, each with its mark: the second mark starts line 3.
    const std::string input = bom + longest + "\nLorde\n" + bom + "Dua Lipa\r\n" + bom + "Lorde\n";
    test_support::temp_dir dir;
    std::ofstream(dir / "names.txt", std::ios::binary) << input;
    for (const bool from_stdin : {false, true}) {
      CAPTURE(from_stdin);
      test_support::artistfetch_run run;
      if (from_stdin) run.stdin_data = input;
      const command_result result = test_support::run_artistfetch(
          {"--base-url", server.base_url(), "--no-progress", "--input", from_stdin ? "-" : dir / "names.txt"},
          run);
      CHECK(result.exit_code == 0);
      const std::vector<std::string> lines = lines_of(result.out);
      REQUIRE(lines.size() == 3);  // the second Lorde is the first one: no mark makes it another name
      CHECK(std::string(test_support::parse_line(lines[0])["artist"].GetString()) == longest);
      CHECK(std::string(test_support::parse_line(lines[1])["artist"].GetString()) == "Lorde");
      CHECK(std::string(test_support::parse_line(lines[2])["artist"].GetString()) == "Dua Lipa");
    }
    // One byte more is still too long, mark or not.
    std::ofstream(dir / "long.txt", std::ios::binary) << bom + longest + "a\n";
    const command_result too_long = test_support::run_artistfetch({"--input", dir / "long.txt"});
    CHECK(too_long.exit_code == 2);
    CHECK(too_long.err.find("the name is longer than 1000 bytes") != std::string::npos);
  }
}

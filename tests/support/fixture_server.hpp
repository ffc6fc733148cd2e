// Test support: runs scripts/fixture-server as a child process, queries it, and runs programs with a bound.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace test_support {

// The project root: $ARTISTFETCH_ROOT when set and non-empty, else the current directory.
std::string project_root();

// The artistfetch binary: $ARTISTFETCH_BIN when set and non-empty, else project_root() +
// "/build/artistfetch".
std::string program_path();

// A scripts/fixture-server child on 127.0.0.1 and a free port. Its stdin is a pipe that this object holds
// open: the server exits when the pipe closes, so a test process that dies never leaves it behind.
// Not copyable or movable; one object, one server.
class fixture_server {
 public:
  // Starts the server with `--host 127.0.0.1 --port 0` followed by `extra_args` (e.g. {"--latency-ms",
  // "300"}) and waits up to 10 s for the port line. Throws std::runtime_error when the server cannot be
  // started, exits early or does not print a port in time (the child is then killed and reaped).
  explicit fixture_server(std::vector<std::string> extra_args = {});
  // Closes the stdin pipe, sends SIGTERM and reaps the child, with SIGKILL after 2 s.
  ~fixture_server();

  fixture_server(const fixture_server &) = delete;
  fixture_server &operator=(const fixture_server &) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT/search"
  std::string base_url() const;
  // A blocking GET of http://127.0.0.1:PORT + path (30 s bound). Returns the body whatever the status;
  // throws std::runtime_error on a transport failure.
  std::string get(const std::string &path) const;
  // /search requests so far for exactly `term` (0 if none), from /stats.
  long requests_for(const std::string &term) const;
  // /search requests so far, all terms together.
  long total_requests() const;
  // TCP connections the server has accepted so far (the /stats queries included).
  long connections() const;
  // Zeroes the counters above, which are also the fault-mode counters (GET /reset).
  void reset() const;

 private:
  void stop() noexcept;

  pid_t pid_ = -1;
  int stdin_fd_ = -1;   // write end of the child's stdin
  int stdout_fd_ = -1;  // read end of the child's stdout, kept open so late writes do not fail
  int port_ = 0;
};

// What one HTTP exchange gave. `error` is curl's message, empty when the transfer completed (whatever the
// status); `status` is 0 when no response line arrived.
struct http_response {
  long status = 0;
  std::string headers;  // the raw header block(s), status lines included
  std::string body;
  std::string error;
  double seconds = 0;  // wall-clock duration of the exchange
  // The value of the last header `name` (case-insensitive), without surrounding blanks; empty if absent.
  std::string header(const std::string &name) const;
};

// A blocking GET of `url` with curl easy, no proxy, no redirects followed, bounded by `timeout_s`.
// `max_body` > 0 aborts the transfer (with an error) once the body would exceed that many bytes.
http_response http_get(const std::string &url, double timeout_s = 30, std::size_t max_body = 0);

// Percent-encodes `text` as a query-string value (curl_easy_escape: all but unreserved characters).
std::string url_encode(const std::string &text);

struct command_result {
  int exit_code = -1;  // the exit status, or 128 + the signal number
  std::string out, err;
  bool timed_out = false;  // the process group was killed after timeout_s
  long maxrss_kib = 0;     // the program's peak resident memory (wait4's ru_maxrss)
};

// Runs argv (argv[0] is a path, not searched in PATH) in a new process group with `stdin_data` on its
// stdin (then end of file), capturing stdout and stderr without deadlock whatever their size. After
// `timeout_s` the whole process group gets SIGKILL and timed_out is set. `extra_env` entries "K=V" are
// added to the environment, replacing any K; an entry "K" without '=' removes K. An exec failure gives
// exit code 127 and a message on err. SIGPIPE is restored to its default action in the child.
// `send_signal` (if not 0) is sent to the program after `send_after_s` seconds, for interruption tests.
command_result run_command(const std::vector<std::string> &argv, const std::string &stdin_data = "",
                           double timeout_s = 60, const std::vector<std::string> &extra_env = {},
                           int send_signal = 0, double send_after_s = 0);

// Sends SIGKILL to the process group of every run_command child still running. Async-signal-safe: the
// watchdog calls it from its SIGALRM handler so that a timed-out test leaves nothing behind.
void kill_running_commands() noexcept;

}  // namespace test_support

#include "fixture_server.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

extern char **environ;

namespace test_support {

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// curl_global_init once per process, curl_global_cleanup at exit.
void ensure_curl() {
  struct curl_global {
    curl_global() {
      if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        throw std::runtime_error("curl_global_init failed");
    }
    ~curl_global() { curl_global_cleanup(); }
  };
  static const curl_global once;
  (void)once;
}

struct easy_deleter {
  void operator()(CURL *easy) const noexcept { curl_easy_cleanup(easy); }
};
using easy_ptr = std::unique_ptr<CURL, easy_deleter>;

easy_ptr new_easy() {
  ensure_curl();
  easy_ptr easy(curl_easy_init());
  if (!easy) throw std::runtime_error("curl_easy_init failed");
  return easy;
}

// A file descriptor closed on destruction.
class unique_fd {
 public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd &&other) noexcept : fd_(other.release()) {}
  unique_fd &operator=(unique_fd &&other) noexcept {
    reset(other.release());
    return *this;
  }
  ~unique_fd() { reset(); }
  int get() const { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// A close-on-exec pipe whose ends are never 0, 1 or 2, so that dup2 onto the child's standard descriptors
// cannot clobber one of them with another.
void make_pipe(unique_fd &read_end, unique_fd &write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  for (int &fd : fds) {
    if (fd < 3) {
      int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
      ::close(fd);
      fd = moved;
    }
  }
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  if (!read_end || !write_end) throw std::runtime_error("pipe: cannot move descriptors above 2");
}

// posix_spawn of argv[0] with the child's descriptors 0, 1, 2 taken from child_fds (-1: inherited),
// SIGPIPE back to its default action, no blocked signals, and optionally a new process group.
// Returns 0 and sets pid, or the errno of the failure (exec failures included).
int spawn(const std::vector<std::string> &argv, const std::vector<std::string> *env, const int child_fds[3],
          bool new_group, pid_t &pid) {
  std::vector<char *> args;
  for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char *> envp;
  if (env) {
    for (const std::string &e : *env) envp.push_back(const_cast<char *>(e.c_str()));
    envp.push_back(nullptr);
  }

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < 3; ++i) {
    if (child_fds[i] >= 0) posix_spawn_file_actions_adddup2(&actions, child_fds[i], i);
  }
  sigset_t defaults, no_mask;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&no_mask);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (new_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawnattr_setflags(&attr, flags);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &no_mask);
  int rc = posix_spawn(&pid, argv[0].c_str(), &actions, &attr, args.data(), env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

pid_t reap(pid_t pid, int &status, long *maxrss_kib = nullptr) {
  pid_t r;
  struct rusage usage {};
  do {
    r = ::wait4(pid, &status, 0, &usage);
  } while (r < 0 && errno == EINTR);
  if (r == pid && maxrss_kib != nullptr) *maxrss_kib = usage.ru_maxrss;
  return r;
}

// Writes without ever raising SIGPIPE in this process, whatever its disposition: SIGPIPE is blocked for
// this thread around the write and a SIGPIPE the write caused is consumed. Returns write(2)'s result.
ssize_t write_no_sigpipe(int fd, const char *data, std::size_t size) {
  sigset_t pipe_set, old_mask, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  ssize_t n = ::write(fd, data, size);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = saved;
  return n;
}

// The process groups of running run_command children, for kill_running_commands().
constexpr int max_tracked = 256;
std::atomic<pid_t> running_groups[max_tracked];
static_assert(std::atomic<pid_t>::is_always_lock_free, "the signal handler needs lock-free atomics");

void track(pid_t pid) {
  for (auto &slot : running_groups) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid)) return;
  }
}

void untrack(pid_t pid) {
  for (auto &slot : running_groups) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

std::string env_or(const char *name, const std::string &fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

size_t append_to_string(char *data, size_t size, size_t count, void *user) {
  static_cast<std::string *>(user)->append(data, size * count);
  return size * count;
}

struct body_sink {
  std::string *body;
  std::size_t max;
  bool over = false;
};

size_t append_body(char *data, size_t size, size_t count, void *user) {
  auto *sink = static_cast<body_sink *>(user);
  size_t n = size * count;
  if (sink->max > 0 && sink->body->size() + n > sink->max) {
    sink->over = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

rapidjson::Document parse_stats(const std::string &body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("requests") || !doc.HasMember("by_term") ||
      !doc["by_term"].IsObject())
    throw std::runtime_error("fixture_server: unexpected /stats body: " + body);
  return doc;
}

}  // namespace

std::string project_root() {
  if (const char *root = std::getenv("ARTISTFETCH_ROOT"); root && *root) return root;
  char buffer[4096];
  if (!::getcwd(buffer, sizeof buffer)) throw std::runtime_error("getcwd failed");
  return buffer;
}

std::string program_path() {
  return env_or("ARTISTFETCH_BIN", project_root() + "/build/artistfetch");
}

// ---- fixture_server --------------------------------------------------------------------------------------

fixture_server::fixture_server(std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {project_root() + "/scripts/fixture-server", "--host", "127.0.0.1",
                                   "--port", "0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());

  unique_fd in_read, in_write, out_read, out_write;
  make_pipe(in_read, in_write);
  make_pipe(out_read, out_write);
  const int child_fds[3] = {in_read.get(), out_write.get(), -1};
  if (int rc = spawn(argv, nullptr, child_fds, false, pid_); rc != 0)
    throw std::runtime_error("fixture_server: cannot start " + argv[0] + ": " + std::strerror(rc));
  in_read.reset();
  out_write.reset();
  stdin_fd_ = in_write.release();
  stdout_fd_ = out_read.release();

  // The first line of stdout is the port.
  std::string line;
  const auto start = clock_type::now();
  std::string failure;
  while (failure.empty() && line.find('\n') == std::string::npos) {
    double left = 10 - seconds_since(start);
    if (left <= 0) {
      failure = "no port line within 10 s";
      break;
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) failure = std::string("poll: ") + std::strerror(errno);
    if (r <= 0) continue;
    char buffer[256];
    ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) failure = "the server exited before printing its port";
    if (n > 0) line.append(buffer, static_cast<size_t>(n));
  }
  if (failure.empty()) {
    char *end = nullptr;
    long port = std::strtol(line.c_str(), &end, 10);
    if (end == line.c_str() || *end != '\n' || port <= 0 || port > 65535)
      failure = "bad port line '" + line.substr(0, line.find('\n')) + "'";
    else
      port_ = static_cast<int>(port);
  }
  if (!failure.empty()) {
    stop();
    throw std::runtime_error("fixture_server: " + failure);
  }
}

fixture_server::~fixture_server() {
  stop();
}

void fixture_server::stop() noexcept {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    // The server has no children: its stdout reaches end of file when it exits.
    const auto start = clock_type::now();
    bool closed = stdout_fd_ < 0;
    while (!closed) {
      double left = 2 - seconds_since(start);
      if (left <= 0) break;
      pollfd p{stdout_fd_, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left * 1000) + 1);
      if (r <= 0) continue;
      char buffer[256];
      ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
      closed = n == 0 || (n < 0 && errno != EINTR);
    }
    if (!closed) ::kill(pid_, SIGKILL);
    int status = 0;
    reap(pid_, status);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
}

std::string fixture_server::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/search";
}

std::string fixture_server::get(const std::string &path) const {
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
  http_response response = http_get(url, 30);
  if (!response.error.empty()) throw std::runtime_error("GET " + url + ": " + response.error);
  return response.body;
}

long fixture_server::requests_for(const std::string &term) const {
  rapidjson::Document doc = parse_stats(get("/stats"));
  const rapidjson::Value &by_term = doc["by_term"];
  rapidjson::Value key(rapidjson::StringRef(term.data(), static_cast<rapidjson::SizeType>(term.size())));
  auto it = by_term.FindMember(key);
  if (it == by_term.MemberEnd() || !it->value.IsInt64()) return 0;
  return static_cast<long>(it->value.GetInt64());
}

long fixture_server::total_requests() const {
  rapidjson::Document doc = parse_stats(get("/stats"));
  return doc["requests"].IsInt64() ? static_cast<long>(doc["requests"].GetInt64()) : 0;
}

long fixture_server::connections() const {
  rapidjson::Document doc = parse_stats(get("/stats"));
  if (!doc.HasMember("connections") || !doc["connections"].IsInt64()) return 0;
  return static_cast<long>(doc["connections"].GetInt64());
}

void fixture_server::reset() const {
  get("/reset");
}

// ---- HTTP ------------------------------------------------------------------------------------------------

std::string http_response::header(const std::string &name) const {
  std::string value;
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t eol = headers.find('\n', pos);
    if (eol == std::string::npos) eol = headers.size();
    std::string line = headers.substr(pos, eol - pos);
    pos = eol + 1;
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon != name.size()) continue;
    bool same = std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    if (!same) continue;
    size_t first = line.find_first_not_of(" \t", colon + 1);
    size_t last = line.find_last_not_of(" \t\r");
    value = first == std::string::npos || last < first ? "" : line.substr(first, last - first + 1);
  }
  return value;
}

http_response http_get(const std::string &url, double timeout_s, std::size_t max_body) {
  http_response response;
  easy_ptr easy = new_easy();
  CURL *e = easy.get();
  char error[CURL_ERROR_SIZE] = "";
  body_sink sink{&response.body, max_body};
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROXY, "");  // never a proxy: tests talk to 127.0.0.1 only
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
#endif
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_s * 1000));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, append_to_string);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &response.headers);
  const auto start = clock_type::now();
  CURLcode rc = curl_easy_perform(e);
  response.seconds = seconds_since(start);
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &response.status);
  if (rc != CURLE_OK) {
    response.error = sink.over
                         ? "body larger than " + std::to_string(max_body) + " bytes"
                         : std::string(curl_easy_strerror(rc)) + (*error ? std::string(": ") + error : "");
  }
  return response;
}

std::string url_encode(const std::string &text) {
  easy_ptr easy = new_easy();
  char *escaped = curl_easy_escape(easy.get(), text.data(), static_cast<int>(text.size()));
  if (!escaped) throw std::runtime_error("curl_easy_escape failed");
  std::string result(escaped);
  curl_free(escaped);
  return result;
}

// ---- run_command -----------------------------------------------------------------------------------------

command_result run_command(const std::vector<std::string> &argv, const std::string &stdin_data,
                           double timeout_s, const std::vector<std::string> &extra_env, int send_signal,
                           double send_after_s) {
  if (argv.empty()) throw std::invalid_argument("run_command: empty argv");
  command_result result;

  std::vector<std::string> env;
  for (char **e = environ; e && *e; ++e) env.emplace_back(*e);
  for (const std::string &entry : extra_env) {
    const std::string key = entry.substr(0, entry.find('='));
    env.erase(
        std::remove_if(env.begin(), env.end(),
                       [&](const std::string &e) { return e.compare(0, key.size() + 1, key + "=") == 0; }),
        env.end());
    if (entry.find('=') != std::string::npos) env.push_back(entry);
  }

  unique_fd in_read, in_write, out_read, out_write, err_read, err_write;
  make_pipe(in_read, in_write);
  make_pipe(out_read, out_write);
  make_pipe(err_read, err_write);
  const int child_fds[3] = {in_read.get(), out_write.get(), err_write.get()};
  pid_t pid = -1;
  if (int rc = spawn(argv, &env, child_fds, true, pid); rc != 0) {
    result.exit_code = 127;
    result.err = "run_command: cannot execute " + argv[0] + ": " + std::strerror(rc) + "\n";
    return result;
  }
  track(pid);
  in_read.reset();
  out_write.reset();
  err_write.reset();
  ::fcntl(in_write.get(), F_SETFL, ::fcntl(in_write.get(), F_GETFL) | O_NONBLOCK);
  size_t written = 0;
  if (stdin_data.empty()) in_write.reset();

  const auto start = clock_type::now();
  bool exited = false, signal_sent = send_signal == 0;
  double exited_at = 0, killed_at = 0;
  while (true) {
    const double now = seconds_since(start);
    if (!signal_sent && !exited && now >= send_after_s) {
      ::kill(pid, send_signal);  // the program itself, not its group: as a shell's Ctrl-C would reach it
      signal_sent = true;
    }
    if (!exited) {
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid) {
        exited = true;
        exited_at = now;
      }
    }
    const bool pipes_open = out_read || err_read;
    if (exited && !pipes_open) break;
    // The group still exists while its leader is an unreaped zombie, so killpg cannot hit a stranger.
    if (!result.timed_out && now >= timeout_s) {
      ::killpg(pid, SIGKILL);
      result.timed_out = true;
      killed_at = now;
    }
    if (exited && now - exited_at > 1) {  // left-over processes of the group hold the pipes
      ::killpg(pid, SIGKILL);
      break;
    }
    if (result.timed_out && now - killed_at > 2) break;

    pollfd fds[3];
    nfds_t count = 0;
    int out_index = -1, err_index = -1, in_index = -1;
    if (out_read) out_index = static_cast<int>(count), fds[count++] = {out_read.get(), POLLIN, 0};
    if (err_read) err_index = static_cast<int>(count), fds[count++] = {err_read.get(), POLLIN, 0};
    if (in_write) in_index = static_cast<int>(count), fds[count++] = {in_write.get(), POLLOUT, 0};
    // Wake up at least every 100 ms to notice an exit while left-over processes hold the pipes.
    double wait_ms = 100;
    if (!result.timed_out) wait_ms = std::min(wait_ms, (timeout_s - now) * 1000 + 1);
    if (!signal_sent) wait_ms = std::min(wait_ms, (send_after_s - now) * 1000 + 1);
    int r = ::poll(fds, count, static_cast<int>(std::max(wait_ms, 0.0)));
    if (r <= 0) continue;

    auto drain = [](const pollfd &p, unique_fd &fd, std::string &into) {
      if (!(p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) return;
      char buffer[65536];
      ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
      if (n > 0)
        into.append(buffer, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR)
        fd.reset();
    };
    if (out_index >= 0) drain(fds[out_index], out_read, result.out);
    if (err_index >= 0) drain(fds[err_index], err_read, result.err);
    if (in_index >= 0 && (fds[in_index].revents & (POLLOUT | POLLERR | POLLHUP | POLLNVAL))) {
      size_t chunk = std::min<size_t>(stdin_data.size() - written, 65536);
      ssize_t n = write_no_sigpipe(in_write.get(), stdin_data.data() + written, chunk);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size()) in_write.reset();
    }
  }
  in_write.reset();
  out_read.reset();
  err_read.reset();
  untrack(pid);
  int status = 0;
  if (reap(pid, status, &result.maxrss_kib) == pid) result.exit_code = decode_status(status);
  return result;
}

void kill_running_commands() noexcept {
  for (auto &slot : running_groups) {
    pid_t pid = slot.load();
    if (pid > 0) ::killpg(pid, SIGKILL);
  }
}

}  // namespace test_support

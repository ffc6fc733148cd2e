// The main() of every doctest suite: doctest itself plus a per-test-case watchdog.
//
// The watchdog is a doctest listener that arms alarm() when a test case starts and disarms it when the case
// ends. The bound is 60 s, or $ARTISTFETCH_TEST_TIMEOUT seconds (0 disables it). When it fires, the SIGALRM
// handler names the test case on stderr, kills the process groups of run_command children still running
// and exits with status 1; fixture servers see their stdin close and exit by themselves. Tests must
// therefore not use alarm() or SIGALRM themselves.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fixture_server.hpp"

namespace {

constexpr unsigned default_timeout_s = 60;

unsigned timeout_s = default_timeout_s;
// Composed when a test case starts, so that the signal handler only has to write(2) it.
char alarm_message[1024];
std::size_t alarm_message_size = 0;

void on_alarm(int) {
  ssize_t ignored = ::write(STDERR_FILENO, alarm_message, alarm_message_size);
  (void)ignored;
  test_support::kill_running_commands();
  ::_exit(1);
}

unsigned timeout_from_environment() {
  const char *text = std::getenv("ARTISTFETCH_TEST_TIMEOUT");
  if (!text || !*text) return default_timeout_s;
  char *end = nullptr;
  unsigned long value = std::strtoul(text, &end, 10);
  if (*end != '\0' || text[0] == '-' || value > 86400) {
    std::fprintf(stderr, "watchdog: ignoring ARTISTFETCH_TEST_TIMEOUT='%s' (want whole seconds)\n", text);
    return default_timeout_s;
  }
  return static_cast<unsigned>(value);
}

struct watchdog final : doctest::IReporter {
  explicit watchdog(const doctest::ContextOptions &) {}

  void test_case_start(const doctest::TestCaseData &test) override {
    int n = std::snprintf(alarm_message, sizeof alarm_message,
                          "\nwatchdog: test case \"%s\" (%s:%d) still running after %u s, exiting\n",
                          test.m_name, test.m_file.c_str(), test.m_line, timeout_s);
    alarm_message_size = n < 0 ? 0 : std::min(static_cast<std::size_t>(n), sizeof alarm_message - 1);
    if (timeout_s > 0) ::alarm(timeout_s);
  }
  void test_case_end(const doctest::CurrentTestCaseStats &) override { ::alarm(0); }

  void report_query(const doctest::QueryData &) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats &) override {}
  void test_case_reenter(const doctest::TestCaseData &) override {}
  void test_case_exception(const doctest::TestCaseException &) override {}
  void subcase_start(const doctest::SubcaseSignature &) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData &) override {}
  void log_message(const doctest::MessageData &) override {}
  void test_case_skipped(const doctest::TestCaseData &) override {}
};

}  // namespace

REGISTER_LISTENER("watchdog", 1, watchdog);

int main(int argc, char **argv) {
  // A peer that closes a connection or pipe early must give EPIPE, not kill the suite.
  ::signal(SIGPIPE, SIG_IGN);
  timeout_s = timeout_from_environment();
  struct sigaction action {};
  action.sa_handler = on_alarm;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGALRM, &action, nullptr);

  doctest::Context context;
  context.applyCommandLine(argc, argv);
  return context.run();
}

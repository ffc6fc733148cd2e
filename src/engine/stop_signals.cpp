#include "engine/stop_signals.hpp"

#include <csignal>
#include <initializer_list>

namespace engine {
namespace {

volatile std::sig_atomic_t first_signal = 0;

extern "C" void record_stop_signal(int signum) {
  if (first_signal == 0) first_signal = signum;
}

}  // namespace

void install_stop_signal_recorder() {
  struct sigaction action {};
  action.sa_handler = record_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  for (int signum : {SIGINT, SIGTERM, SIGHUP}) sigaction(signum, &action, nullptr);
}

int recorded_stop_signal() {
  return first_signal;
}

}  // namespace engine

#include "engine/stop_signals.hpp"

#include <atomic>
#include <csignal>
#include <initializer_list>

namespace engine {
namespace {

volatile std::sig_atomic_t first_signal = 0;
std::atomic<bool> memory_ran_out{false};
std::atomic<bool> memory_stops_runs{false};

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

void note_out_of_memory(bool stop_runs) {
  memory_ran_out.store(true);
  if (stop_runs) memory_stops_runs.store(true);
}

bool out_of_memory_noted() {
  return memory_ran_out.load();
}

bool out_of_memory_stops_runs() {
  return memory_stops_runs.load();
}

}  // namespace engine

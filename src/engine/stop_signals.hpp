// The stop signals (SIGINT, SIGTERM, SIGHUP) outside the runners' own handlers, and running out of memory:
// while the names are read, while the cache answers before the loops start, while the report is written. A
// plain handler records the first one, so that the program is never killed halfway with nothing printed; each
// runner then starts as if the signal had just arrived (every artist is cancelled, no request is sent).
#pragma once

namespace engine {

// Installs the recording handler for the three signals, without SA_RESTART, so that a blocking read (stdin
// that never ends) returns at once. Called at start-up and again after each run, whose handlers replace it.
void install_stop_signal_recorder();

// 0, or the first stop signal recorded since start-up.
int recorded_stop_signal();

// Out of memory: an allocation failed (std::bad_alloc caught where C calls back into C++, or libcurl's own
// CURLE_OUT_OF_MEMORY), and main() names the cause and exits 1. An artist's own failure (its body or its
// parse did not fit) ends that artist only; any other (`stop_runs`) stops every run at once, as a signal
// does, and the artists not finished end as engine::out_of_memory_error. Lock-free: any thread may note it.
void note_out_of_memory(bool stop_runs);
bool out_of_memory_noted();
bool out_of_memory_stops_runs();

}  // namespace engine

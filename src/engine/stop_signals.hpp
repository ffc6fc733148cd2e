// The stop signals (SIGINT, SIGTERM, SIGHUP) outside the runners' own handlers: while the names are read,
// while the cache answers before the loops start, while the report is written. A plain handler records the
// first one, so that the program is never killed halfway with nothing printed; each runner then starts as if
// the signal had just arrived (every artist is cancelled, no request is sent).
#pragma once

namespace engine {

// Installs the recording handler for the three signals, without SA_RESTART, so that a blocking read (stdin
// that never ends) returns at once. Called at start-up and again after each run, whose handlers replace it.
void install_stop_signal_recorder();

// 0, or the first stop signal recorded since start-up.
int recorded_stop_signal();

}  // namespace engine

// --compare: the sync and async reports side by side.
#pragma once

#include <string>
#include <vector>

#include "engine/observer.hpp"

namespace report {

// The artists whose records differ between the two runs, in input order. Attempt counts are left out of the
// comparison: a fault that one run met and retried is gone by the time the other run asks.
std::vector<std::string> differing_artists(const itunes::record_list &sync_records,
                                           const itunes::record_list &async_records);

// "the sync and async reports differ for: A, B", for an error message.
std::string describe_differences(const std::vector<std::string> &artists);

// The timing table printed on stderr: mode, requests, wall time, speedup (sync's wall over each mode's).
std::string render_timing_table(const engine::run_report &sync_report,
                                const engine::run_report &async_report);

}  // namespace report

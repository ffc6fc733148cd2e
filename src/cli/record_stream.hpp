// --stream: ndjson records written as each artist finishes, for pipelines that should not wait for the
// slowest artist.
#pragma once

#include <cstdio>

#include "cli/runners.hpp"

namespace cli {

// Makes hooks.artist_finished write each completed record to `out` as one ndjson line (record_json(), the
// very bytes render_ndjson() would print for it) and flush at once, so records appear in completion order.
// A hook already set is kept and called first. The caller then prints nothing more at the end of the run.
void attach_record_stream(run_hooks &hooks, std::FILE *out);

}  // namespace cli

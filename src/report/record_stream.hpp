// --stream: ndjson records written as each artist finishes, for pipelines that should not wait for the
// slowest artist.
#pragma once

#include <cstdio>

#include "engine/observer.hpp"
#include "report/progress.hpp"

namespace report {

// Writes each completed record to `out` as one ndjson line (record_json(), the very bytes render_ndjson()
// would print for it) and flushes at once, so records appear in completion order. When `bar` is given, it is
// erased before each line, so that the two never share a terminal line. The caller then prints nothing more
// at the end of the run.
class record_stream : public engine::run_observer {
 public:
  explicit record_stream(std::FILE *out, progress_bar *bar = nullptr) : out_(out), bar_(bar) {}
  void artist_finished(std::size_t artist, const itunes::artist_record &record,
                       std::string_view body) override;

  // 0, or the errno of the first line that could not be written; no line is written after it.
  int error() const { return error_; }

 private:
  std::FILE *out_;
  progress_bar *bar_;
  int error_ = 0;
};

}  // namespace report

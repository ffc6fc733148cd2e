// --stream: ndjson records written as each artist finishes, for pipelines that should not wait for the
// slowest artist.
#pragma once

#include <cstdio>
#include <utility>

#include "engine/observer.hpp"
#include "report/progress.hpp"
#include "text/name_list.hpp"

namespace report {

// Writes each completed record to `out` as one ndjson line (record_json(), the very bytes render_ndjson()
// would print for it) and flushes at once, so records appear in completion order. When `bar` is given, it is
// erased before each line, so that the two never share a terminal line. The caller then prints nothing more
// at the end of the run. A record that cannot be formatted for want of memory is still one line, written
// without allocating: {"artist":NAME,"status":"error","error":"out of memory: ...","attempts":N}.
class record_stream : public engine::run_observer {
 public:
  // `artists` name the records by index, for the line written when memory runs out (see below).
  record_stream(std::FILE *out, text::name_list artists, progress_bar *bar = nullptr)
      : out_(out), artists_(std::move(artists)), bar_(bar) {}
  void artist_finished(std::size_t artist, const itunes::artist_record &record,
                       std::string_view body) override;

  // 0, or the errno of the first line that could not be written; no line is written after it.
  int error() const { return error_; }

 private:
  std::FILE *out_;
  text::name_list artists_;
  progress_bar *bar_;
  int error_ = 0;
};

}  // namespace report

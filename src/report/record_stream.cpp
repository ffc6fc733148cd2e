#include "report/record_stream.hpp"

#include <string>

#include "report/output.hpp"

namespace report {

void record_stream::artist_finished(std::size_t, const itunes::artist_record &record, std::string_view) {
  if (error_ != 0) return;  // the output is gone: the run goes on, its records go nowhere
  std::string line = record_json(record);
  line += '\n';
  if (bar_ != nullptr) bar_->hide();
  error_ = write_text(out_, line);
}

}  // namespace report

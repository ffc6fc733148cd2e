#include "report/record_stream.hpp"

#include <string>

#include "report/output.hpp"

namespace report {

void record_stream::artist_finished(std::size_t, const itunes::artist_record &record, std::string_view) {
  std::string line = record_json(record);
  line += '\n';
  if (bar_ != nullptr) bar_->hide();
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace report

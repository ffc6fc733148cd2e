#include "cli/record_stream.hpp"

#include <string>
#include <utility>

#include "cli/output.hpp"

namespace cli {

void attach_record_stream(run_hooks &hooks, std::FILE *out) {
  hooks.artist_finished = chain(std::move(hooks.artist_finished),
                                [out](std::size_t, const itunes::artist_record &record, std::string_view) {
                                  std::string line = record_json(record);
                                  line += '\n';
                                  std::fwrite(line.data(), 1, line.size(), out);
                                  std::fflush(out);
                                });
}

}  // namespace cli

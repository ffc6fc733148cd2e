#include "report/record_stream.hpp"

#include <cerrno>
#include <new>
#include <string>

#include "report/output.hpp"

namespace report {
namespace {

// `text` as a JSON string, straight into `out`: no allocation, for when memory has run out. The names are
// valid UTF-8 (checked on input), so only quotes, backslashes and control characters need escaping.
void put_json_string(std::FILE *out, std::string_view text) {
  std::fputc('"', out);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      std::fputc('\\', out);
      std::fputc(c, out);
    } else if (byte < 0x20 || byte == 0x7f) {
      std::fprintf(out, "\\u%04x", byte);
    } else {
      std::fputc(c, out);
    }
  }
  std::fputc('"', out);
}

}  // namespace

void record_stream::artist_finished(std::size_t artist, const itunes::artist_record &record, std::string_view) {
  if (error_ != 0) return;  // the output is gone: the run goes on, its records go nowhere
  if (bar_ != nullptr) bar_->hide();
  // An empty name: the run had no memory to copy the record for us (engine::run_observer); the list names it.
  const bool copy_lost = record.artist.empty() && artist < artists_.size();
  if (!copy_lost) {
    try {
      std::string line = record_json(record);
      line += '\n';
      error_ = write_text(out_, line);
      return;
    } catch (const std::bad_alloc &) {  // the line found no room: one written piece by piece says so
    }
  }
  errno = 0;
  std::fputs("{\"artist\":", out_);
  put_json_string(out_, copy_lost ? artists_[artist] : std::string_view(record.artist));
  std::fprintf(out_, ",\"status\":\"error\",\"error\":\"%s\",\"attempts\":%d}\n",
               copy_lost ? "out of memory" : "out of memory: the record could not be formatted", record.attempts);
  if (std::fflush(out_) != 0 || std::ferror(out_)) error_ = errno != 0 ? errno : EIO;
}

}  // namespace report

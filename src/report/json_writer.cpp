// The report as JSON: ndjson and one document. Every renderer builds one std::string, reserved ahead, so that
// a report of many thousands of artists costs a few allocations and a single write.
#include <array>
#include <cerrno>
#include <charconv>
#include <new>
#include <string>
#include <string_view>

#include "report/output.hpp"
#include "report/terminal.hpp"
#include "text/escape.hpp"

namespace report {
namespace {

void append_number(std::string &out, long long value) {
  std::array<char, 24> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), result.ptr);
}

// ,"suggestions":["A","B"]
void append_strings(std::string &out, std::string_view key, const std::vector<std::string> &strings) {
  out += ",\"";
  out += key;
  out += "\":[";
  for (std::size_t i = 0; i < strings.size(); ++i) {
    if (i > 0) out += ',';
    text::append_json_string(out, strings[i]);
  }
  out += ']';
}

void append_record(std::string &out, const itunes::artist_record &record) {
  out += "{\"artist\":";
  text::append_json_string(out, record.artist);
  if (record.ok) {
    out += ",\"status\":\"ok\",\"attempts\":";
    append_number(out, record.attempts);
    out += ",\"result_count\":";
    append_number(out, static_cast<long long>(record.result_count));
    out += ",\"results\":[";
    for (std::size_t i = 0; i < record.results.size(); ++i) {
      if (i > 0) out += ',';
      const std::string &json = record.results[i].json;
      out += json.empty() ? std::string_view("{}") : std::string_view(json);
    }
    out += ']';
    if (record.results.empty() && !record.suggestions.empty()) {
      append_strings(out, "suggestions", record.suggestions);
      append_strings(out, "suggestion_notes", record.suggestion_notes);
    }
    out += '}';
  } else {
    out += ",\"status\":\"error\",\"error\":";
    text::append_json_string(out, record.error);
    if (record.http_status != 0) {
      out += ",\"http_status\":";
      append_number(out, record.http_status);
    }
    out += ",\"attempts\":";
    append_number(out, record.attempts);
    out += '}';
  }
}

// A close upper bound for the common case (little escaping), so one reserve usually suffices.
std::size_t record_size_hint(const itunes::artist_record &record) {
  std::size_t size = 96 + record.artist.size() + record.error.size();
  for (const itunes::album &album : record.results) size += album.json.size() + 1;
  for (const std::string &name : record.suggestions) size += name.size() + 3;
  for (const std::string &note : record.suggestion_notes) size += note.size() + 3;
  return size;
}

std::size_t report_size_hint(const itunes::record_list &records) {
  std::size_t size = 32;
  for (std::size_t i = 0; i < records.size(); ++i)
    records.visit(i, [&size](const itunes::artist_record &record) { size += record_size_hint(record) + 4; });
  return size;
}

}  // namespace

std::string record_json(const itunes::artist_record &record) {
  std::string out;
  out.reserve(record_size_hint(record));
  append_record(out, record);
  return out;
}

namespace {

// Emits the records as ndjson or as one json document into `out`, handing it to `flush` whenever it has
// grown past `chunk` bytes and once at the end. One loop serves rendering to a string and writing to a file.
template <typename Flush>
void emit_records(const itunes::record_list &records, bool as_document, std::string &out,
                  std::size_t chunk, Flush flush) {
  if (as_document) out += "{\"artists\":[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::size_t before = out.size();
    const auto append = [&] {
      if (as_document) out += i == 0 ? "\n  " : ",\n  ";
      records.visit(i, [&out](const itunes::artist_record &record) { append_record(out, record); });
      if (!as_document) out += '\n';
    };
    try {
      append();
    } catch (const std::bad_alloc &) {
      // Out of memory with records waiting in the buffer: write them out, give the buffer's memory back and
      // try this record alone once more. Rendering to a string has nowhere to put them: it fails.
      if (chunk == std::string::npos) throw;
      out.resize(before);
      flush(out);
      std::string().swap(out);
      append();
    }
    if (out.size() >= chunk) flush(out);
  }
  if (as_document) out += records.empty() ? "]}\n" : "\n]}\n";
  flush(out);
}

std::string render_records(const itunes::record_list &records, bool as_document) {
  std::string out;
  out.reserve(report_size_hint(records));
  emit_records(records, as_document, out, std::string::npos, [](std::string &) {});
  return out;
}

}  // namespace

std::string render_ndjson(const itunes::record_list &records) {
  return render_records(records, false);
}

std::string render_json(const itunes::record_list &records) {
  return render_records(records, true);
}

int write_report(std::FILE *out, const itunes::record_list &records, output_format format,
                 bool color) {
  std::string buffer;
  int error = 0;
  // After the first failure nothing more is written: the rest would fail alike or land after a gap.
  const auto write_out = [out, &error](std::string &text) {
    if (error == 0) error = write_text(out, text);
    text.clear();
  };
  if (format == output_format::table) {
    buffer = render_table(records.to_vector(), color, table_width(out));
    write_out(buffer);
  } else {
    constexpr std::size_t chunk = 64 * 1024;
    try {
      buffer.reserve(chunk + 4096);
    } catch (const std::bad_alloc &) {  // short of memory already: the records go out in smaller writes
    }
    emit_records(records, format == output_format::json, buffer, chunk, write_out);
  }
  return error;
}

int write_text(std::FILE *out, std::string_view text) {
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), out) == text.size() && std::fflush(out) == 0) return 0;
  // stdio may fail without setting errno (a stream already in error): say EIO rather than "Success".
  return errno != 0 ? errno : EIO;
}

}  // namespace report

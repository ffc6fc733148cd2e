// Rendering of the report. Every renderer builds one std::string, reserved ahead, so that a report of many
// thousands of artists costs a few allocations and a single write.
#include "cli/output.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>

#include "itunes/utf8.hpp"

namespace cli {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view ellipsis = "\xE2\x80\xA6";               // U+2026, one column wide
constexpr std::size_t max_cell_width = 60;

// ---------------------------------------------------------------------------------------------------------
// UTF-8

using itunes::decode_utf8;
using itunes::utf8_step;

bool is_control(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
}

// ---------------------------------------------------------------------------------------------------------
// Display width. The tables are a deliberately small approximation of Unicode's East Asian Width and
// combining classes: enough for names in CJK scripts, accented Latin and common emoji.

struct code_range {
  char32_t first;
  char32_t last;
};

// Combining marks, zero-width and format characters, variation selectors, emoji skin-tone modifiers.
constexpr code_range zero_width_ranges[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD},   {0x05BF, 0x05BF},   {0x05C1, 0x05C2},
    {0x05C4, 0x05C5},   {0x05C7, 0x05C7},   {0x0610, 0x061A},   {0x064B, 0x065F},   {0x0670, 0x0670},
    {0x06D6, 0x06DC},   {0x06DF, 0x06E4},   {0x06E7, 0x06E8},   {0x06EA, 0x06ED},   {0x0900, 0x0902},
    {0x093A, 0x093A},   {0x093C, 0x093C},   {0x0941, 0x0948},   {0x094D, 0x094D},   {0x0951, 0x0957},
    {0x0962, 0x0963},   {0x0981, 0x0981},   {0x09BC, 0x09BC},   {0x09C1, 0x09C4},   {0x09CD, 0x09CD},
    {0x0E31, 0x0E31},   {0x0E34, 0x0E3A},   {0x0E47, 0x0E4E},   {0x1160, 0x11FF},   {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF},   {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x2064},   {0x20D0, 0x20FF},
    {0x302A, 0x302D},   {0x3099, 0x309A},   {0xFE00, 0xFE0F},   {0xFE20, 0xFE2F},   {0xFEFF, 0xFEFF},
    {0x1F3FB, 0x1F3FF}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

// East Asian Wide and Fullwidth characters and emoji shown in emoji presentation.
constexpr code_range wide_ranges[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
    {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
    {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F202},
    {0x1F210, 0x1F23B}, {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

template <std::size_t N>
constexpr bool sorted_and_disjoint(const code_range (&ranges)[N]) {
  for (std::size_t i = 0; i < N; ++i) {
    if (ranges[i].first > ranges[i].last) return false;
    if (i > 0 && ranges[i - 1].last >= ranges[i].first) return false;
  }
  return true;
}
static_assert(sorted_and_disjoint(zero_width_ranges), "binary search needs sorted ranges");
static_assert(sorted_and_disjoint(wide_ranges), "binary search needs sorted ranges");

template <std::size_t N>
bool in_ranges(char32_t code_point, const code_range (&ranges)[N]) {
  const code_range *end = ranges + N;
  const code_range *found =
      std::lower_bound(ranges, end, code_point, [](const code_range &r, char32_t c) { return r.last < c; });
  return found != end && found->first <= code_point;
}

std::size_t code_point_width(char32_t code_point) {
  if (code_point < 0x300) return is_control(code_point) ? 0 : 1;  // the common case, no search
  if (in_ranges(code_point, zero_width_ranges)) return 0;
  return in_ranges(code_point, wide_ranges) ? 2 : 1;
}

// ---------------------------------------------------------------------------------------------------------
// JSON

void append_number(std::string &out, long long value) {
  std::array<char, 24> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), result.ptr);
}

void append_unicode_escape(std::string &out, char32_t code_point) {
  static const char digits[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += digits[(code_point >> shift) & 0xF];
}

// ,"suggestions":["A","B"]
void append_suggestions(std::string &out, const std::vector<std::string> &names) {
  out += ",\"suggestions\":[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, names[i]);
  }
  out += ']';
}

void append_record(std::string &out, const itunes::artist_record &record) {
  out += "{\"artist\":";
  append_json_string(out, record.artist);
  if (record.ok) {
    out += ",\"status\":\"ok\",\"attempts\":";
    append_number(out, record.attempts);
    out += ",\"results\":[";
    for (std::size_t i = 0; i < record.results.size(); ++i) {
      if (i > 0) out += ',';
      const std::string &json = record.results[i].json;
      out += json.empty() ? std::string_view("{}") : std::string_view(json);
    }
    out += ']';
    if (record.results.empty() && !record.suggestions.empty()) append_suggestions(out, record.suggestions);
    out += '}';
  } else {
    out += ",\"status\":\"error\",\"error\":";
    append_json_string(out, record.error);
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
  return size;
}

std::size_t report_size_hint(const std::vector<itunes::artist_record> &records) {
  std::size_t size = 32;
  for (const itunes::artist_record &record : records) size += record_size_hint(record) + 4;
  return size;
}

// ---------------------------------------------------------------------------------------------------------
// Table

// Makes untrusted text safe for one table cell: invalid UTF-8 and control characters become U+FFFD (tabs and
// line breaks become spaces), so that nothing from the server can move the cursor or recolour the terminal.
// Text wider than `max_width` columns is cut, ending with "…".
struct cell {
  std::string text;
  std::size_t width = 0;
};

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

cell make_cell(std::string_view text, std::size_t max_width) {
  cell result;
  if (text.size() <= max_width && is_printable_ascii(text)) {  // the common case: one column per byte
    result.text = std::string(text);
    result.width = text.size();
    return result;
  }
  result.text.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const utf8_step step = decode_utf8(text, at);
    std::string_view piece = text.substr(at, step.length);
    std::size_t width = 1;
    if (!step.valid) {
      piece = replacement_character;
    } else if (step.code_point == '\t' || step.code_point == '\n' || step.code_point == '\r') {
      piece = " ";
    } else if (is_control(step.code_point)) {
      piece = replacement_character;
    } else {
      width = code_point_width(step.code_point);
    }
    if (result.width + width > max_width) {
      // Cut so that the ellipsis still fits, dropping whole code points from the end.
      while (result.width + 1 > max_width && !result.text.empty()) {
        std::size_t start = result.text.size() - 1;
        while (start > 0 && (static_cast<unsigned char>(result.text[start]) & 0xC0) == 0x80) --start;
        result.width -= display_width(result.text.substr(start));
        result.text.erase(start);
      }
      result.text += ellipsis;
      result.width += 1;
      return result;
    }
    result.text += piece;
    result.width += width;
    at += step.length;
  }
  return result;
}

// no exact match; did you mean "A", "B" or "C"?
std::string did_you_mean(const std::vector<std::string> &names) {
  std::string text = "no exact match; did you mean ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += '"' + names[i] + '"';
  }
  return text + '?';
}

// error: <message> (HTTP <status>), the status left out when there is none or the message starts with it.
std::string error_cell(const itunes::artist_record &record) {
  std::string text = "error: " + record.error;
  if (record.http_status == 0) return text;
  const std::string status = "HTTP " + std::to_string(record.http_status);
  const std::string_view error = record.error;
  const bool stated = error.substr(0, status.size()) == status &&
                      (error.size() == status.size() ||
                       !std::isdigit(static_cast<unsigned char>(error[status.size()])));  // not "HTTP 5000"
  return stated ? text : text + " (" + status + ")";
}

bool looks_like_date(std::string_view text) {
  if (text.size() < 10) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if ((i == 4 || i == 7) ? text[i] != '-' : !digit) return false;
  }
  return true;
}

constexpr std::size_t column_count = 5;
constexpr std::size_t tracks_column = 3;  // right-aligned: it holds numbers

struct table_row {
  std::array<cell, column_count> cells;
  bool album_spans = false;  // an error message: written in full, not counted in the album column's width
  const char *style = nullptr;  // SGR sequence for every cell of the row when colours are on
};

// Colours of the table (ANSI SGR), used only when render_table is asked for them.
constexpr const char *header_style = "\x1b[1m";     // bold
constexpr const char *error_style = "\x1b[31m";     // red
constexpr const char *no_match_style = "\x1b[33m";  // yellow
constexpr std::string_view reset_style = "\x1b[0m";

table_row album_row(const cell &artist, const itunes::album &album) {
  table_row row;
  row.cells[0] = artist;
  row.cells[1] = make_cell(album.collection_name, max_cell_width);
  const std::string_view date = album.release_date;
  row.cells[2] = make_cell(looks_like_date(date) ? date.substr(0, 10) : date, max_cell_width);
  if (album.track_count) row.cells[3] = make_cell(std::to_string(*album.track_count), max_cell_width);
  row.cells[4] = make_cell(album.primary_genre, max_cell_width);
  return row;
}

void append_row(std::string &out, const table_row &row, const std::array<std::size_t, column_count> &widths,
                bool colour) {
  // Padding is held back until something visible follows it, so lines never end in spaces.
  std::size_t pending_spaces = 0;
  for (std::size_t column = 0; column < column_count; ++column) {
    const cell &current = row.cells[column];
    if (column > 0) pending_spaces += 2;
    const std::size_t padding = widths[column] > current.width ? widths[column] - current.width : 0;
    if (column == tracks_column) pending_spaces += padding;
    if (!current.text.empty()) {
      out.append(pending_spaces, ' ');
      pending_spaces = 0;
      if (colour && row.style != nullptr) {
        // The escapes take no columns, so widths and padding stay as computed; a cell's trailing spaces go
        // outside them, held back like padding.
        std::string_view text = current.text;
        const std::size_t kept = text.find_last_not_of(' ');
        pending_spaces = kept == std::string_view::npos ? text.size() : text.size() - kept - 1;
        text.remove_suffix(pending_spaces);
        if (!text.empty()) {
          out += row.style;
          out += text;
          out += reset_style;
        }
      } else {
        out += current.text;
      }
    }
    if (column != tracks_column) pending_spaces += padding;
  }
  // A cell may end in spaces itself ("error: " with an empty message, a name with a trailing space).
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
}

}  // namespace

void append_json_string(std::string &out, const std::string &text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  const char *data = text.data();
  std::size_t run_start = 0;  // bytes from here up to `at` are copied as they are
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(data[at]);
    if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') {
      ++at;
      continue;
    }
    if (byte >= 0x80) {
      const utf8_step step = decode_utf8(text, at);
      // C1 controls and the line and paragraph separators are valid JSON but unsafe for terminals and for
      // JavaScript; escape them.
      const bool escape =
          step.valid && (step.code_point <= 0x9F || step.code_point == 0x2028 || step.code_point == 0x2029);
      if (step.valid && !escape) {
        at += step.length;
        continue;
      }
      out.append(data + run_start, at - run_start);
      if (escape) {
        append_unicode_escape(out, step.code_point);
      } else {
        out += replacement_character;
      }
      at += step.length;
      run_start = at;
      continue;
    }
    out.append(data + run_start, at - run_start);
    switch (byte) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        append_unicode_escape(out, byte);
        break;
    }
    ++at;
    run_start = at;
  }
  out.append(data + run_start, text.size() - run_start);
  out += '"';
}

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
void emit_records(const std::vector<itunes::artist_record> &records, bool as_document, std::string &out,
                  std::size_t chunk, Flush flush) {
  if (as_document) out += "{\"artists\":[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (as_document) out += i == 0 ? "\n  " : ",\n  ";
    append_record(out, records[i]);
    if (!as_document) out += '\n';
    if (out.size() >= chunk) flush(out);
  }
  if (as_document) out += records.empty() ? "]}\n" : "\n]}\n";
  flush(out);
}

std::string render_records(const std::vector<itunes::artist_record> &records, bool as_document) {
  std::string out;
  out.reserve(report_size_hint(records));
  emit_records(records, as_document, out, std::string::npos, [](std::string &) {});
  return out;
}

}  // namespace

std::string render_ndjson(const std::vector<itunes::artist_record> &records) {
  return render_records(records, false);
}

std::string render_json(const std::vector<itunes::artist_record> &records) { return render_records(records, true); }

void write_report(std::FILE *out, const std::vector<itunes::artist_record> &records, output_format format,
                  bool colour) {
  std::string buffer;
  const auto write_out = [out](std::string &text) {
    std::fwrite(text.data(), 1, text.size(), out);
    text.clear();
  };
  if (format == output_format::table) {
    buffer = render_table(records, colour);
    write_out(buffer);
  } else {
    constexpr std::size_t chunk = 64 * 1024;
    buffer.reserve(chunk + 4096);
    emit_records(records, format == output_format::json, buffer, chunk, write_out);
  }
  std::fflush(out);
}

std::string render_table(const std::vector<itunes::artist_record> &records, bool colour) {
  std::size_t row_count = 1;
  for (const itunes::artist_record &record : records)
    row_count += std::max<std::size_t>(1, record.results.size());
  std::vector<table_row> rows;
  rows.reserve(row_count);
  table_row header;
  const char *titles[column_count] = {"ARTIST", "ALBUM", "RELEASED", "TRACKS", "GENRE"};
  for (std::size_t column = 0; column < column_count; ++column)
    header.cells[column] = make_cell(titles[column], 16);
  header.style = header_style;
  rows.push_back(std::move(header));

  for (const itunes::artist_record &record : records) {
    cell artist = make_cell(record.artist, max_cell_width);
    if (!record.ok) {
      table_row row;
      row.cells[0] = std::move(artist);
      row.cells[1] = make_cell(error_cell(record), static_cast<std::size_t>(-1));
      row.album_spans = true;
      row.style = error_style;
      rows.push_back(std::move(row));
    } else if (record.results.empty()) {
      table_row row;
      row.cells[0] = std::move(artist);
      row.style = no_match_style;
      if (record.suggestions.empty()) {
        row.cells[1] = make_cell("(no exact match)", max_cell_width);
      } else {  // written in full like an error, so that long names do not widen the album column
        row.cells[1] = make_cell(did_you_mean(record.suggestions), static_cast<std::size_t>(-1));
        row.album_spans = true;
      }
      rows.push_back(std::move(row));
    } else {
      for (const itunes::album &album : record.results) rows.push_back(album_row(artist, album));
    }
  }

  std::array<std::size_t, column_count> widths{};
  std::size_t size = 0;
  for (const table_row &row : rows) {
    for (std::size_t column = 0; column < column_count; ++column) {
      if (column == 1 && row.album_spans) continue;
      widths[column] = std::max(widths[column], row.cells[column].width);
    }
    for (const cell &c : row.cells) size += c.text.size();
  }
  std::size_t line_width = 2 * (column_count - 1) + 1;
  for (std::size_t width : widths) line_width += width;

  std::string out;
  out.reserve(size + rows.size() * line_width);
  for (const table_row &row : rows) append_row(out, row, widths, colour);
  return out;
}

std::string counted(std::size_t count, const char *one, const char *many) {
  return std::to_string(count) + ' ' + (count == 1 ? one : many);
}

std::size_t display_width(const std::string &text) {
  std::size_t width = 0;
  for (std::size_t at = 0; at < text.size();) {
    const utf8_step step = decode_utf8(text, at);
    width += step.valid ? code_point_width(step.code_point) : 1;
    at += step.length;
  }
  return width;
}

}  // namespace cli

// The report as an aligned table, for a terminal: every cell made safe and measured in columns first.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/output.hpp"
#include "text/escape.hpp"
#include "text/utf8.hpp"
#include "text/width.hpp"

namespace report {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view ellipsis = "\xE2\x80\xA6";               // U+2026, one column wide
constexpr std::size_t max_cell_width = 60;

// Makes untrusted text safe for one table cell: invalid UTF-8 and control characters become U+FFFD (tabs and
// line breaks become spaces), so that nothing from the server can move the cursor or recolor the terminal.
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
  text::width_counter counter;
  std::vector<std::pair<std::size_t, std::size_t>>
      pieces;  // where each piece starts in result.text, its width
  for (std::size_t at = 0; at < text.size();) {
    const text::utf8_step step = text::decode_utf8(text, at);
    std::string_view piece = text.substr(at, step.length);
    std::size_t width = 1;
    if (!step.valid) {
      piece = replacement_character;
      counter.reset();
    } else if (step.code_point == '\t' || step.code_point == '\n' || step.code_point == '\r') {
      piece = " ";
      counter.reset();
    } else if (text::is_control(step.code_point)) {
      piece = replacement_character;
      counter.reset();
    } else {
      width = counter.add(step.code_point);
    }
    if (result.width + width > max_width) {
      // Cut so that the ellipsis still fits, dropping whole pieces from the end.
      while (result.width + 1 > max_width && !pieces.empty()) {
        result.width -= pieces.back().second;
        result.text.erase(pieces.back().first);
        pieces.pop_back();
      }
      result.text += ellipsis;
      result.width += 1;
      return result;
    }
    pieces.emplace_back(result.text.size(), width);
    result.text += piece;
    result.width += width;
    at += step.length;
  }
  return result;
}

// What an artist without a match reads: no exact match; did you mean "A", "B" or "C"? A name that differs only
// in something hard to see carries its note: "A" (differs only by U+00A0 NO-BREAK SPACE). A full page of
// results says so first, since the match may lie beyond it.
std::string no_match_text(const itunes::artist_record &record) {
  std::string text = record.page_full ? "no match in the first " + std::to_string(record.result_count) +
                                            " results; a larger --limit may find it"
                     : record.match == itunes::match_mode::nocase ? "no match"
                                                                  : "no exact match";
  const std::vector<std::string> &names = record.suggestions;
  if (names.empty()) return record.page_full ? text : "(" + text + ")";
  text += "; did you mean ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += '"' + names[i] + '"';
    if (i < record.suggestion_notes.size() && record.suggestion_notes[i].rfind("differs only", 0) == 0)
      text += " (" + record.suggestion_notes[i] + ")";
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
  bool album_spans = false;     // an error message: written in full, not counted in the album column's width
  const char *style = nullptr;  // SGR sequence for every cell of the row when colors are on
};

// Colors of the table (ANSI SGR), used only when render_table is asked for them.
constexpr const char *header_style = "\x1b[1m";     // bold
constexpr const char *error_style = "\x1b[31m";     // red
constexpr const char *no_match_style = "\x1b[33m";  // yellow
constexpr std::string_view reset_style = "\x1b[0m";

table_row album_row(const cell &artist, const itunes::album &album, itunes::match_mode match) {
  table_row row;
  // Under nocase the name asked for may differ from Apple's: show Apple's.
  row.cells[0] = match == itunes::match_mode::nocase && album.artist_name
                     ? make_cell(*album.artist_name, max_cell_width)
                     : artist;
  row.cells[1] = make_cell(album.collection_name, max_cell_width);
  const std::string_view date = album.release_date;
  row.cells[2] = make_cell(looks_like_date(date) ? date.substr(0, 10) : date, max_cell_width);
  if (album.track_count) row.cells[3] = make_cell(std::to_string(*album.track_count), max_cell_width);
  row.cells[4] = make_cell(album.primary_genre, max_cell_width);
  return row;
}

void append_row(std::string &out, const table_row &row, const std::array<std::size_t, column_count> &widths,
                bool color) {
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
      if (color && row.style != nullptr) {
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

std::string render_table(const std::vector<itunes::artist_record> &records, bool color) {
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
      if (record.suggestions.empty() && !record.page_full) {
        row.cells[1] = make_cell(no_match_text(record), max_cell_width);
      } else {  // written in full like an error, so that long names do not widen the album column
        row.cells[1] = make_cell(no_match_text(record), static_cast<std::size_t>(-1));
        row.album_spans = true;
      }
      rows.push_back(std::move(row));
    } else {
      for (const itunes::album &album : record.results) rows.push_back(album_row(artist, album, record.match));
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
  for (const table_row &row : rows) append_row(out, row, widths, color);
  return out;
}

std::string counted(std::size_t count, const char *one, const char *many) {
  return std::to_string(count) + ' ' + (count == 1 ? one : many);
}

}  // namespace report

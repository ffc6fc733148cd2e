// The report as an aligned table, for a terminal: every cell made safe and measured in columns first.
#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
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
// results says so after the suggestions (which a narrow terminal must not cut away), since the match may lie
// beyond it.
std::string no_match_text(const itunes::artist_record &record) {
  const std::string full_page = record.page_full ? "no match in the first " + std::to_string(record.result_count) +
                                                       " results; a larger --limit may find it"
                                                 : std::string();
  const std::vector<std::string> &names = record.suggestions;
  if (names.empty()) {
    if (record.page_full) return full_page;
    return record.match == itunes::match_mode::nocase ? "(no match)" : "(no exact match)";
  }
  std::string text = record.page_full ? std::string()
                     : record.match == itunes::match_mode::nocase ? "no match; "
                                                                  : "no exact match; ";
  text += "did you mean ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += '"' + names[i] + '"';
    if (i < record.suggestion_notes.size() && record.suggestion_notes[i].rfind("differs only", 0) == 0)
      text += " (" + record.suggestion_notes[i] + ")";
  }
  text += '?';
  if (record.page_full) text += ' ' + full_page;
  return text;
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

// The columns a table can have, in the order they are shown. Which ones appear depends on the kinds of
// results in the report: a song table has no TRACKS column, an app table no LENGTH.
enum column_id : std::size_t {
  artist_column,      // the name asked for
  kind_column,        // only when the report mixes kinds of results
  title_column,       // the item's own title
  collection_column,  // a song's album, an episode's season
  date_column,        // release date, or the year alone
  tracks_column,
  length_column,
  genre_column,
  price_column,
  link_column,
  column_count
};
using column_set = std::uint16_t;
constexpr column_set bit(column_id column) {
  return static_cast<column_set>(1u << column);
}

bool right_aligned(std::size_t column) {
  return column == tracks_column || column == length_column || column == price_column;
}
// The columns holding names and titles, which give way first when the table is wider than the terminal.
bool free_text(std::size_t column) {
  return column == artist_column || column == title_column || column == collection_column ||
         column == genre_column || column == link_column;
}

// What a result is, from its wrapperType and kind (see /work/shared/ITUNES-API.md): each shape has its
// columns, and its noun names the title column when every row has that shape.
enum class shape {
  album,
  season,
  song,
  music_video,
  movie,
  episode,
  podcast,
  audiobook,
  ebook,
  app,
  artist,
  other
};

struct shape_info {
  const char *noun;    // header of the title column
  const char *kind;    // the KIND column's word
  column_set columns;  // besides artist and title
  bool year_only;      // the date column shows the year alone
};

const shape_info &info_of(shape kind) {
  static const shape_info infos[] = {
      {"ALBUM", "album", bit(date_column) | bit(tracks_column) | bit(genre_column), false},
      {"SEASON", "season", bit(date_column) | bit(tracks_column) | bit(genre_column), false},
      {"SONG", "song", bit(collection_column) | bit(length_column) | bit(genre_column), false},
      {"VIDEO", "video", bit(date_column) | bit(length_column) | bit(genre_column), true},
      {"MOVIE", "movie", bit(date_column) | bit(length_column) | bit(genre_column), true},
      {"EPISODE", "episode", bit(collection_column) | bit(date_column) | bit(length_column), false},
      {"PODCAST", "podcast", bit(date_column) | bit(tracks_column) | bit(genre_column), false},
      {"AUDIOBOOK", "audiobook", bit(date_column) | bit(genre_column) | bit(price_column), false},
      {"BOOK", "ebook", bit(date_column) | bit(genre_column) | bit(price_column), false},
      {"APP", "app", bit(genre_column) | bit(price_column), false},
      {"NAME", "artist", bit(genre_column) | bit(link_column), false},
      {"TITLE", "item", bit(date_column) | bit(genre_column), false},
  };
  return infos[static_cast<std::size_t>(kind)];
}

const rapidjson::Value *member(const rapidjson::Value &object, const char *name) {
  const auto found = object.FindMember(name);
  return found == object.MemberEnd() ? nullptr : &found->value;
}

std::string_view string_member(const rapidjson::Value &object, const char *name) {
  const rapidjson::Value *value = member(object, name);
  if (value == nullptr || !value->IsString()) return {};
  return std::string_view(value->GetString(), value->GetStringLength());
}

// "3:38", "1:57:29": a length in milliseconds, as an integer or a float (Apple sends both).
std::string length_text(const rapidjson::Value &object) {
  const rapidjson::Value *value = member(object, "trackTimeMillis");
  if (value == nullptr || !value->IsNumber()) return {};
  const double millis = value->GetDouble();
  if (!(millis >= 0 && millis < 1e12)) return {};
  const auto seconds = static_cast<long long>(millis / 1000 + 0.5);
  char text[32];
  if (seconds >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", seconds / 3600, seconds / 60 % 60, seconds % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", seconds / 60, seconds % 60);
  return text;
}

// formattedPrice when the result has one ("Free", "$9.99"), else price or collectionPrice with currency.
std::string price_text(const rapidjson::Value &object) {
  const std::string_view formatted = string_member(object, "formattedPrice");
  if (!formatted.empty()) return std::string(formatted);
  const rapidjson::Value *value = member(object, "price");
  if (value == nullptr || !value->IsNumber()) value = member(object, "collectionPrice");
  if (value == nullptr || !value->IsNumber()) return {};
  const double price = value->GetDouble();
  if (!(price >= 0 && price < 1e9)) return {};
  if (price == 0) return "Free";
  char text[48];
  std::snprintf(text, sizeof text, "%.2f", price);
  const std::string_view currency = string_member(object, "currency");
  return currency.empty() || currency.size() > 3 ? std::string(text)
                                                 : std::string(text) + ' ' + std::string(currency);
}

shape shape_of(const rapidjson::Value &object) {
  const std::string_view wrapper = string_member(object, "wrapperType");
  const std::string_view kind = string_member(object, "kind");
  if (wrapper == "artist") return shape::artist;
  if (wrapper == "audiobook") return shape::audiobook;
  if (wrapper == "software" || kind == "software" || kind == "mac-software") return shape::app;
  if (wrapper == "collection")
    return string_member(object, "collectionType") == "TV Season" ? shape::season : shape::album;
  if (kind == "ebook") return shape::ebook;
  if (kind == "song") return shape::song;
  if (kind == "music-video") return shape::music_video;
  if (kind == "feature-movie") return shape::movie;
  if (kind == "tv-episode") return shape::episode;
  if (kind == "podcast") return shape::podcast;
  // Neither says: a result with a track of its own is an item, one without is an album (as Apple's oldest
  // answers are).
  return member(object, "trackName") != nullptr || !kind.empty() || !wrapper.empty() ? shape::other
                                                                                     : shape::album;
}

// One result as table text, before it is made safe: its shape and the text of each column.
struct item {
  shape kind = shape::album;
  std::array<std::string, column_count> text;
};

item describe(const itunes::album &album) {
  item result;
  rapidjson::Document document;
  document.Parse(album.json.data(), album.json.size());
  static const rapidjson::Value empty_object(rapidjson::kObjectType);
  const rapidjson::Value &object = document.IsObject() ? document : empty_object;
  result.kind = shape_of(object);
  const shape_info &info = info_of(result.kind);

  std::string_view title = string_member(object, "trackName");
  if (title.empty()) title = album.collection_name;
  if (title.empty() && album.artist_name) title = *album.artist_name;
  result.text[title_column] = std::string(title);
  result.text[kind_column] = info.kind;
  if (info.columns & bit(collection_column)) result.text[collection_column] = album.collection_name;
  const std::string_view date = album.release_date;
  if (looks_like_date(date))
    result.text[date_column] = std::string(date.substr(0, info.year_only ? 4 : 10));
  else
    result.text[date_column] = std::string(date);
  if (album.track_count) result.text[tracks_column] = std::to_string(*album.track_count);
  result.text[length_column] = length_text(object);
  std::string_view genre = album.primary_genre;
  const rapidjson::Value *genres = member(object, "genres");
  if (genre.empty() && genres != nullptr && genres->IsArray() && !genres->Empty() && (*genres)[0].IsString())
    genre = std::string_view((*genres)[0].GetString(), (*genres)[0].GetStringLength());
  result.text[genre_column] = std::string(genre);
  result.text[price_column] = price_text(object);
  std::string_view link = string_member(object, "artistLinkUrl");
  if (link.empty()) link = string_member(object, "artistViewUrl");
  result.text[link_column] = std::string(link);
  // Only what this shape shows: a song's release date or an album's price would widen the table.
  for (std::size_t column = date_column; column < column_count; ++column)
    if (!(info.columns & bit(static_cast<column_id>(column)))) result.text[column].clear();
  return result;
}

struct table_row {
  std::array<cell, column_count> cells;
  bool message = false;         // an error or a miss: written from the title column on, over the others
  const char *style = nullptr;  // SGR sequence for every cell of the row when colors are on
};

// Colors of the table (ANSI SGR), used only when render_table is asked for them.
constexpr const char *header_style = "\x1b[1m";     // bold
constexpr const char *error_style = "\x1b[31m";     // red
constexpr const char *no_match_style = "\x1b[33m";  // yellow
constexpr std::string_view reset_style = "\x1b[0m";

// The header of each column for the shapes the report holds (`shapes`, a bit per shape).
std::array<std::string, column_count> headers_for(unsigned shapes) {
  std::array<std::string, column_count> titles = {"ARTIST", "KIND",   "TITLE", "COLLECTION", "RELEASED",
                                                  "TRACKS", "LENGTH", "GENRE", "PRICE",      "LINK"};
  const auto only = [shapes](shape kind) { return shapes == 1u << static_cast<unsigned>(kind); };
  const auto within = [shapes](std::initializer_list<shape> kinds) {
    unsigned allowed = 0;
    for (shape kind : kinds) allowed |= 1u << static_cast<unsigned>(kind);
    return (shapes & ~allowed) == 0;
  };
  for (unsigned kind = 0; kind <= static_cast<unsigned>(shape::other); ++kind)
    if (shapes == 1u << kind) titles[title_column] = info_of(static_cast<shape>(kind)).noun;
  if (within({shape::song})) titles[collection_column] = "ALBUM";
  if (within({shape::episode})) titles[collection_column] = "SEASON";
  if (within({shape::movie, shape::music_video})) titles[date_column] = "YEAR";
  if (only(shape::podcast)) titles[tracks_column] = "EPISODES";
  return titles;
}

void append_row(std::string &out, const table_row &row, const std::vector<std::size_t> &columns,
                const std::array<std::size_t, column_count> &widths, bool color) {
  // Padding is held back until something visible follows it, so lines never end in spaces.
  std::size_t pending_spaces = 0;
  for (std::size_t at = 0; at < columns.size(); ++at) {
    const std::size_t column = columns[at];
    const cell &current = row.cells[column];
    if (at > 0) pending_spaces += 2;
    const std::size_t padding = widths[column] > current.width ? widths[column] - current.width : 0;
    if (right_aligned(column)) pending_spaces += padding;
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
    if (row.message && column == title_column) break;
    if (!right_aligned(column)) pending_spaces += padding;
  }
  // A cell may end in spaces itself ("error: " with an empty message, a name with a trailing space).
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
}

std::size_t line_width(const std::vector<std::size_t> &columns,
                       const std::array<std::size_t, column_count> &widths) {
  std::size_t width = columns.empty() ? 0 : 2 * (columns.size() - 1);
  for (std::size_t column : columns) width += widths[column];
  return width;
}

// Narrows the columns until a line fits `max_width`: the widest free-text column gives way first, down to
// a few columns; then any column; on a very narrow terminal the rightmost columns are left out.
void fit_columns(std::vector<std::size_t> &columns, std::array<std::size_t, column_count> &widths,
                 std::size_t max_width) {
  constexpr std::size_t narrowest_free_text = 8;
  for (const bool any_column : {false, true}) {
    const std::size_t floor = any_column ? 1 : narrowest_free_text;
    while (line_width(columns, widths) > max_width) {
      std::size_t widest = column_count;
      for (std::size_t column : columns)
        if ((any_column || free_text(column)) && widths[column] > floor &&
            (widest == column_count || widths[column] > widths[widest]))
          widest = column;
      if (widest == column_count) break;
      --widths[widest];  // one at a time: the widest comes down to the next widest before both give way
    }
  }
  while (line_width(columns, widths) > max_width && columns.size() > 1) columns.pop_back();
  widths[columns[0]] = std::min(widths[columns[0]], std::max<std::size_t>(1, max_width));
}

}  // namespace

std::string render_table(const std::vector<itunes::artist_record> &records, bool color,
                         std::size_t max_width) {
  std::size_t row_count = 1;
  for (const itunes::artist_record &record : records)
    row_count += std::max<std::size_t>(1, record.results.size());
  std::vector<table_row> rows;
  rows.reserve(row_count);
  rows.emplace_back();  // the header, once the columns are known
  unsigned shapes = 0;

  for (const itunes::artist_record &record : records) {
    cell artist = make_cell(record.artist, max_cell_width);
    if (!record.ok || record.results.empty()) {
      table_row row;
      row.cells[artist_column] = std::move(artist);
      row.message = true;
      if (!record.ok) {
        row.cells[title_column] = make_cell(error_cell(record), static_cast<std::size_t>(-1));
        row.style = error_style;
      } else {
        row.cells[title_column] = make_cell(no_match_text(record), static_cast<std::size_t>(-1));
        row.style = no_match_style;
      }
      rows.push_back(std::move(row));
      continue;
    }
    for (const itunes::album &album : record.results) {
      item described = describe(album);
      shapes |= 1u << static_cast<unsigned>(described.kind);
      table_row row;
      // Under nocase the name asked for may differ from Apple's: show Apple's.
      row.cells[artist_column] = record.match == itunes::match_mode::nocase && album.artist_name
                                     ? make_cell(*album.artist_name, max_cell_width)
                                     : artist;
      for (std::size_t column = kind_column; column < column_count; ++column)
        // A link cut short is no link: only the terminal's width cuts it.
        row.cells[column] = make_cell(described.text[column], column == link_column ? 400 : max_cell_width);
      rows.push_back(std::move(row));
    }
  }

  // The columns: those of every shape present (an album's when there is none), the kind when mixed.
  column_set shown = bit(artist_column) | bit(title_column);
  const bool mixed = (shapes & (shapes - 1)) != 0;
  if (mixed) shown |= bit(kind_column);
  for (unsigned kind = 0; kind <= static_cast<unsigned>(shape::other); ++kind)
    if (shapes & (1u << kind)) shown |= info_of(static_cast<shape>(kind)).columns;
  if (shapes == 0) shown |= info_of(shape::album).columns;
  std::vector<std::size_t> columns;
  for (std::size_t column = 0; column < column_count; ++column)
    if (shown & bit(static_cast<column_id>(column))) columns.push_back(column);

  const std::array<std::string, column_count> titles = headers_for(shapes == 0 ? 1u : shapes);
  for (std::size_t column : columns) rows[0].cells[column] = make_cell(titles[column], 16);
  rows[0].style = header_style;

  std::array<std::size_t, column_count> widths{};
  for (const table_row &row : rows)
    for (std::size_t column : columns)
      if (!(row.message && column == title_column))
        widths[column] = std::max(widths[column], row.cells[column].width);

  if (line_width(columns, widths) > max_width) fit_columns(columns, widths, max_width);
  if (max_width != unlimited_width) {
    for (table_row &row : rows) {
      for (std::size_t at = 0; at < columns.size(); ++at) {
        const std::size_t column = columns[at];
        cell &current = row.cells[column];
        // A message has the rest of the line: the columns after the artist's.
        std::size_t room = widths[column];
        if (row.message && column == title_column) {
          const std::size_t before =
              line_width({columns.begin(), columns.begin() + static_cast<long>(at)}, widths) + 2;
          room = max_width > before ? max_width - before : 1;
        }
        if (current.width > room) current = make_cell(current.text, room);
      }
    }
  }

  std::size_t size = 0;
  for (const table_row &row : rows)
    for (const cell &c : row.cells) size += c.text.size();
  std::string out;
  out.reserve(size + rows.size() * (line_width(columns, widths) + 1));
  for (const table_row &row : rows) append_row(out, row, columns, widths, color);
  return out;
}

std::string counted(std::size_t count, const char *one, const char *many) {
  return std::to_string(count) + ' ' + (count == 1 ? one : many);
}

}  // namespace report

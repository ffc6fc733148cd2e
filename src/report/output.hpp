// Rendering of the report: ndjson, json and an aligned table.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "itunes/aggregator.hpp"

namespace report {

enum class output_format { ndjson, json, table };

// One record as a single-line JSON object:
// {"artist":NAME,"status":"ok","attempts":N,"result_count":N,"results":[...]} or
// {"artist":NAME,"status":"error","error":"...","http_status":N,"attempts":N} (http_status only when
// nonzero). An ok record with no results but with suggestions ends in ,"suggestions":["NAME",...],
// "suggestion_notes":["differs only by U+00A0 NO-BREAK SPACE",...] (one note per suggestion).
std::string record_json(const itunes::artist_record &record);

std::string render_ndjson(const itunes::record_list &records);
std::string render_json(const itunes::record_list &records);
// An aligned table, a row per result, its columns fitting the kinds of results (wrapperType and kind): an
// album shows its release date, tracks and genre; a song its album, length and genre; a movie its year,
// length and genre; an app its genre and price; an artist record its genre and link; a report that mixes
// kinds gets a KIND column. The title column holds each result's own title (trackName, else collectionName,
// else artistName). Cells are aligned by display width (grapheme clusters; wide characters count two
// columns). An error record is one row reading "error: ..." after the artist; an artist without matches
// reads "(no exact match)" ("(no match)" under --match nocase), or with suggestions: no exact match; did you
// mean "A"? (a note in parentheses after a name that differs only invisibly); when the page of results was
// full, "no match in the first N results; a larger --limit may find it" follows. With `color`, ANSI SGR codes
// make the header bold, error rows red and rows without a match yellow; the codes take no columns. No line is
// wider than `max_width` columns: the widest name or title column gives way first, cut with "…".
constexpr std::size_t unlimited_width = static_cast<std::size_t>(-1);
std::string render_table(const std::vector<itunes::artist_record> &records, bool color = false,
                         std::size_t max_width = unlimited_width);

// Writes the report to `out` in `format` and flushes it: ndjson and json record by record through a small
// buffer, so a large report is never held whole in memory; the table (which needs every width first) at once.
// Returns 0, or the errno of the first write or flush that failed (nothing more is written after it).
int write_report(std::FILE *out, const itunes::record_list &records, output_format format,
                 bool color);

// Writes `text` to `out` and flushes it. Returns 0, or the errno of the failure (EIO when stdio gave none).
int write_text(std::FILE *out, std::string_view text);

// "1 request", "2 requests": `count` and the noun in its number.
std::string counted(std::size_t count, const char *one, const char *many);

}  // namespace report

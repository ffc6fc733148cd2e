// Tests of the report renderers (src/cli/output.cpp).
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "report/output.hpp"
#include "report/record_stream.hpp"
#include "text/escape.hpp"
#include "text/width.hpp"

namespace {

itunes::album make_album(const std::string &name, const std::string &date, std::optional<long long> tracks,
                         const std::string &genre) {
  itunes::album album;
  std::string json = "{\"collectionName\":";
  text::append_json_string(json, name);
  json += "}";
  album.json = json;
  album.artist_name = "unused";
  album.collection_name = name;
  album.release_date = date;
  album.track_count = tracks;
  album.primary_genre = genre;
  return album;
}

itunes::artist_record ok_record(const std::string &artist, std::vector<itunes::album> albums,
                                int attempts = 1) {
  itunes::artist_record record;
  record.artist = artist;
  record.ok = true;
  record.results = std::move(albums);
  record.http_status = 200;
  record.attempts = attempts;
  return record;
}

itunes::artist_record error_record(const std::string &artist, const std::string &error, long http_status,
                                   int attempts) {
  itunes::artist_record record;
  record.artist = artist;
  record.ok = false;
  record.error = error;
  record.http_status = http_status;
  record.attempts = attempts;
  return record;
}

std::string json_string(const std::string &text) {
  std::string out;
  text::append_json_string(out, text);
  return out;
}

// Parses `json` strictly (validating UTF-8) and returns the error, or "" when it is valid.
std::string json_error(const std::string &json, rapidjson::Document &document) {
  document.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (!document.HasParseError()) return "";
  return std::string(rapidjson::GetParseError_En(document.GetParseError())) + " at " +
         std::to_string(document.GetErrorOffset());
}

std::vector<std::string> split_lines(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The display column at which `part` starts in `line`.
std::size_t column_of(const std::string &line, const std::string &part) {
  const std::size_t at = line.find(part);
  REQUIRE(at != std::string::npos);
  return text::display_width(line.substr(0, at));
}

}  // namespace

TEST_SUITE("output") {
  TEST_CASE("an ok record is one line with its results inserted verbatim") {
    itunes::album album;
    album.json = R"({"collectionName":"25","trackCount":11,"releaseDate":"2015-11-20T08:00:00Z"})";
    const itunes::artist_record record = ok_record("Adele", {album, album}, 2);
    CHECK(report::record_json(record) ==
          R"({"artist":"Adele","status":"ok","attempts":2,"result_count":0,"results":[)"
          R"({"collectionName":"25","trackCount":11,"releaseDate":"2015-11-20T08:00:00Z"},)"
          R"({"collectionName":"25","trackCount":11,"releaseDate":"2015-11-20T08:00:00Z"}]})");
  }

  TEST_CASE("an ok record without exact matches has an empty results array") {
    CHECK(report::record_json(ok_record("Cher", {})) ==
          R"({"artist":"Cher","status":"ok","attempts":1,"result_count":0,"results":[]})");
  }

  TEST_CASE("an error record carries the HTTP status only when one arrived") {
    CHECK(
        report::record_json(error_record("Cher", "HTTP 503 after 4 attempts", 503, 4)) ==
        R"({"artist":"Cher","status":"error","error":"HTTP 503 after 4 attempts","http_status":503,"attempts":4})");
    CHECK(report::record_json(error_record("Cher", "Timeout was reached", 0, 1)) ==
          R"({"artist":"Cher","status":"error","error":"Timeout was reached","attempts":1})");
  }

  TEST_CASE("ndjson is one record per line in order") {
    const std::vector<itunes::artist_record> records = {ok_record("A", {}), error_record("B", "x", 0, 3)};
    CHECK(report::render_ndjson(records) ==
          "{\"artist\":\"A\",\"status\":\"ok\",\"attempts\":1,\"result_count\":0,\"results\":[]}\n"
          "{\"artist\":\"B\",\"status\":\"error\",\"error\":\"x\",\"attempts\":3}\n");
    CHECK(report::render_ndjson({}) == "");
  }

  TEST_CASE("strings escape quotes, backslashes and control characters") {
    CHECK(json_string("") == "\"\"");
    CHECK(json_string("AC/DC") == "\"AC/DC\"");
    CHECK(json_string("say \"hi\"") == R"("say \"hi\"")");
    CHECK(json_string("back\\slash") == R"("back\\slash")");
    CHECK(json_string("line\nbreak\ttab") == R"("line\nbreak\ttab")");
    CHECK(json_string("cr\r") == R"("cr\u000d")");
    CHECK(json_string(std::string("nul\0", 4)) == R"("nul\u0000")");
    CHECK(json_string("\x01\x1f") == R"("\u0001\u001f")");
    CHECK(json_string("del\x7f") == "\"del\x7f\"");         // valid in JSON, kept
    CHECK(json_string("nel\xC2\x85") == R"("nel\u0085")");  // C1 control
    CHECK(json_string("ls\xE2\x80\xA8ps\xE2\x80\xA9") == R"("ls\u2028ps\u2029")");
  }

  TEST_CASE("strings keep valid UTF-8 as it is") {
    CHECK(json_string("Beyoncé") == "\"Beyoncé\"");
    CHECK(json_string("坂本龍一") == "\"坂本龍一\"");
    CHECK(json_string("\xF0\x9F\x8E\xB8") == "\"\xF0\x9F\x8E\xB8\"");
    CHECK(json_string("\xF4\x8F\xBF\xBF") == "\"\xF4\x8F\xBF\xBF\"");
  }

  TEST_CASE("invalid UTF-8 is replaced so the output is always valid JSON") {
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(json_string("a\xFF"
                      "b") == "\"a" + fffd + "b\"");
    CHECK(json_string("\xE5\x9D") == "\"" + fffd + "\"");                    // truncated: one replacement
    CHECK(json_string("\xC0\xAF") == "\"" + fffd + fffd + "\"");             // overlong
    CHECK(json_string("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");  // surrogate
    CHECK(json_string("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // above U+10FFFF
    CHECK(json_string("\xE5\x9D"
                      "\"") == "\"" + fffd + "\\\"\"");  // the quote is not swallowed

    const itunes::artist_record record = error_record("Bad\xC3(", "reset \xFF\xFE by peer", 0, 1);
    rapidjson::Document document;
    CHECK(json_error(report::record_json(record), document) == "");
    REQUIRE(document.IsObject());
    CHECK(std::string(document["artist"].GetString()) == "Bad" + fffd + "(");
    CHECK(std::string(document["error"].GetString()) == "reset " + fffd + fffd + " by peer");
  }

  TEST_CASE("every byte string becomes a JSON string that parses back") {
    std::string all_bytes;
    for (int byte = 0; byte < 256; ++byte) all_bytes += static_cast<char>(byte);
    const std::string json = "[" + json_string(all_bytes) + "]";
    rapidjson::Document document;
    CHECK(json_error(json, document) == "");
    REQUIRE(document.IsArray());
    const std::string decoded(document[0].GetString(), document[0].GetStringLength());
    CHECK(decoded.substr(0, 128) == all_bytes.substr(0, 128));  // ASCII survives exactly, NUL included
  }

  TEST_CASE("the json document parses and keeps records in order") {
    const std::vector<itunes::artist_record> records = {
        ok_record("Beyoncé", {make_album("Lemonade", "2016-04-23T07:00:00Z", 12, "Pop")}),
        error_record("坂本龍一", "HTTP 403", 403, 4),
        ok_record("Nobody", {}),
    };
    const std::string json = report::render_json(records);
    CHECK(json.back() == '\n');
    CHECK(json.rfind("{\"artists\":[\n", 0) == 0);
    rapidjson::Document document;
    REQUIRE(json_error(json, document) == "");
    REQUIRE(document.IsObject());
    const rapidjson::Value &artists = document["artists"];
    REQUIRE(artists.IsArray());
    REQUIRE(artists.Size() == 3);
    CHECK(std::string(artists[0]["artist"].GetString()) == "Beyoncé");
    CHECK(std::string(artists[0]["results"][0]["collectionName"].GetString()) == "Lemonade");
    CHECK(std::string(artists[1]["status"].GetString()) == "error");
    CHECK(artists[1]["http_status"].GetInt() == 403);
    CHECK(artists[2]["results"].Size() == 0);
    // One record per line inside the array.
    CHECK(split_lines(json).size() == 5);
  }

  TEST_CASE("an empty report is still a json document") {
    const std::string json = report::render_json({});
    CHECK(json == "{\"artists\":[]}\n");
    rapidjson::Document document;
    CHECK(json_error(json, document) == "");
  }

  TEST_CASE("the table aligns columns by display width") {
    const std::vector<itunes::artist_record> records = {
        ok_record("Beyoncé", {make_album("Lemonade", "2016-04-23T07:00:00Z", 12, "Pop"),
                              make_album("B'Day (Deluxe Edition)", "2006-09-04T07:00:00Z", 23, "R&B/Soul")}),
        ok_record("坂本龍一", {make_album("音楽図鑑", "1984-10-24T08:00:00Z", 8, "エレクトロニック")}),
        ok_record("Sigur Rós", {make_album("Ágætis byrjun", "1999-06-12T07:00:00Z", 10, "Alternative")}),
    };
    const std::string table = report::render_table(records);
    const std::vector<std::string> lines = split_lines(table);
    REQUIRE(lines.size() == 5);
    CHECK(lines[0] == "ARTIST     ALBUM                   RELEASED    TRACKS  GENRE");

    const std::size_t album_column = column_of(lines[0], "ALBUM");
    const std::size_t released_column = column_of(lines[0], "RELEASED");
    const std::size_t genre_column = column_of(lines[0], "GENRE");
    const std::size_t tracks_end = column_of(lines[0], "TRACKS") + 6;
    CHECK(column_of(lines[1], "Lemonade") == album_column);
    CHECK(column_of(lines[2], "B'Day") == album_column);
    CHECK(column_of(lines[3], "音楽図鑑") == album_column);
    CHECK(column_of(lines[4], "Ágætis") == album_column);
    CHECK(column_of(lines[1], "2016-04-23") == released_column);
    CHECK(column_of(lines[3], "1984-10-24") == released_column);
    CHECK(column_of(lines[4], "1999-06-12") == released_column);
    CHECK(column_of(lines[1], "Pop") == genre_column);
    CHECK(column_of(lines[3], "エレクトロニック") == genre_column);
    CHECK(column_of(lines[4], "Alternative") == genre_column);
    // Track counts are right-aligned under the header.
    CHECK(column_of(lines[1], "12") + 2 == tracks_end);
    CHECK(column_of(lines[3], " 8 ") + 2 == tracks_end);
    for (const std::string &line : lines) {
      CAPTURE(line);
      CHECK(line.back() != ' ');
    }
    CHECK(table.back() == '\n');
  }

  TEST_CASE("an ok artist without matches gets one row saying so") {
    const std::string table = report::render_table({ok_record("Nobody", {})});
    CHECK(table ==
          "ARTIST  ALBUM  RELEASED  TRACKS  GENRE\n"
          "Nobody  (no exact match)\n");
  }

  TEST_CASE("an error gets one row with the message in the album column") {
    const std::vector<itunes::artist_record> records = {
        ok_record("Adele", {make_album("25", "2015-11-20T08:00:00Z", 11, "Pop")}),
        error_record("坂本龍一",
                     "HTTP 403 (throttled) after 4 attempts, a message longer than the album column", 403, 4),
        error_record("Cher", "Couldn't connect to server", 0, 4),
    };
    const std::vector<std::string> lines = split_lines(report::render_table(records));
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "ARTIST    ALBUM  RELEASED    TRACKS  GENRE");
    CHECK(lines[1] == "Adele     25     2015-11-20      11  Pop");
    CHECK(lines[2] ==
          "坂本龍一  error: HTTP 403 (throttled) after 4 attempts, a message longer than the album column");
    CHECK(lines[3] == "Cher      error: Couldn't connect to server");
  }

  TEST_CASE("an error row names the HTTP status once, and only when there is one") {
    const std::vector<itunes::artist_record> records = {
        error_record("A", "HTTP 404", 404, 1),
        error_record("B", "response is not valid JSON (Invalid value. at byte 0)", 200, 1),
        error_record("C", "HTTP 5000 is not a status", 500, 1),
        error_record("D", "Timeout was reached (curl error 28)", 0, 4),
    };
    const std::vector<std::string> lines = split_lines(report::render_table(records));
    REQUIRE(lines.size() == 5);
    CHECK(lines[1] == "A       error: HTTP 404");
    CHECK(lines[2] == "B       error: response is not valid JSON (Invalid value. at byte 0) (HTTP 200)");
    CHECK(lines[3] == "C       error: HTTP 5000 is not a status (HTTP 500)");
    CHECK(lines[4] == "D       error: Timeout was reached (curl error 28)");
  }

  TEST_CASE("very long album names are cut to 60 columns with an ellipsis") {
    const std::string long_name(100, 'x');
    std::string wide_name;
    for (int i = 0; i < 40; ++i) wide_name += "龍";
    const std::vector<itunes::artist_record> records = {ok_record(
        "A", {make_album(long_name, "", std::nullopt, ""), make_album(wide_name, "", std::nullopt, "")})};
    const std::vector<std::string> lines = split_lines(report::render_table(records));
    REQUIRE(lines.size() == 3);
    CHECK(lines[1] == "A       " + std::string(59, 'x') + "…");
    CHECK(text::display_width(lines[1]) == 8 + 60);
    std::string expected_wide;
    for (int i = 0; i < 29; ++i) expected_wide += "龍";
    CHECK(lines[2] == "A       " + expected_wide + "…");
    CHECK(text::display_width(lines[2]) == 8 + 59);
    // A name of exactly 60 columns is not cut.
    const std::string table =
        report::render_table({ok_record("A", {make_album(std::string(60, 'y'), "", 1, "")})});
    CHECK(split_lines(table)[1] == "A       " + std::string(60, 'y') + std::string(17, ' ') + "1");
  }

  TEST_CASE("release dates show the day only when they look like a date") {
    const std::vector<itunes::artist_record> records = {ok_record(
        "A", {make_album("x", "2019-03-29T07:00:00Z", 1, "G"), make_album("y", "2019-03-29", 1, "G"),
              make_album("z", "circa 1970", 1, "G"), make_album("w", "", 1, "G")})};
    const std::vector<std::string> lines = split_lines(report::render_table(records));
    REQUIRE(lines.size() == 5);
    CHECK(lines[1] == "A       x      2019-03-29       1  G");
    CHECK(lines[2] == "A       y      2019-03-29       1  G");
    CHECK(lines[3] == "A       z      circa 1970       1  G");
    CHECK(lines[4] == "A       w                       1  G");
  }

  TEST_CASE("table cells cannot carry control sequences or invalid UTF-8") {
    const std::vector<itunes::artist_record> records = {
        ok_record("A", {make_album("Bad\x1b[31mName\nNext\xFF", "", std::nullopt, "Tab\tGenre")})};
    const std::vector<std::string> lines = split_lines(report::render_table(records));
    REQUIRE(lines.size() == 2);
    CHECK(lines[1] ==
          "A       Bad\xEF\xBF\xBD[31mName Next\xEF\xBF\xBD" + std::string(20, ' ') + "Tab Genre");
    CHECK(column_of(lines[1], "Tab") == column_of(lines[0], "GENRE"));
  }

  TEST_CASE("table lines never end in spaces, even when a cell does") {
    const std::vector<itunes::artist_record> records = {
        error_record("A", "", 0, 1), ok_record("B", {make_album("x ", "", std::nullopt, " ")})};
    const std::vector<std::string> lines = split_lines(report::render_table(records));
    REQUIRE(lines.size() == 3);
    CHECK(lines[1] == "A       error:");
    CHECK(lines[2] == "B       x");
  }

  TEST_CASE("within a width, the widest name column gives way first and emoji count two columns") {
    const std::vector<itunes::artist_record> records = {
        ok_record(
            "I \xE2\x9D\xA4\xEF\xB8\x8F NY",  // "I ❤️ NY": 7 columns
            {make_album("A very long album title that will not fit", "2016-04-23T07:00:00Z", 12, "Pop")}),
        error_record("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
                     "Timeout was reached (curl error 28), a message longer than the window", 0, 4),
    };
    const std::vector<std::string> full = split_lines(report::render_table(records));
    CHECK(
        full[1] ==
        "I \xE2\x9D\xA4\xEF\xB8\x8F NY  A very long album title that will not fit  2016-04-23      12  Pop");
    const std::vector<std::string> lines = split_lines(report::render_table(records, false, 50));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "ARTIST   ALBUM           RELEASED    TRACKS  GENRE");
    CHECK(lines[1] == "I \xE2\x9D\xA4\xEF\xB8\x8F NY  A very long a\xE2\x80\xA6  2016-04-23      12  Pop");
    CHECK(lines[2] ==
          "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7       "
          "error: Timeout was reached (curl error 2\xE2\x80\xA6");
    for (const std::string &line : lines) CHECK(text::display_width(line) <= 50);
    // Too narrow for every column: the rightmost are left out, no line is wider than asked.
    for (const std::size_t width : {1, 3, 5, 12, 20}) {
      CAPTURE(width);
      for (const std::string &line : split_lines(report::render_table(records, false, width)))
        CHECK(text::display_width(line) <= width);
    }
  }

  TEST_CASE("an empty report renders the header alone") {
    CHECK(report::render_table({}) == "ARTIST  ALBUM  RELEASED  TRACKS  GENRE\n");
  }
}

TEST_SUITE("record stream") {
  // What --stream wrote to a temporary file.
  std::string written(std::FILE *file) {
    std::rewind(file);
    std::string text;
    for (int c; (c = std::fgetc(file)) != EOF;) text += static_cast<char>(c);
    return text;
  }

  TEST_CASE("each record is one line, as render_ndjson prints it") {
    std::FILE *file = std::tmpfile();
    REQUIRE(file != nullptr);
    report::record_stream stream(file, text::name_list{"Adele"});
    itunes::artist_record record;
    record.artist = "Adele";
    record.ok = true;
    record.attempts = 1;
    stream.artist_finished(0, record, {});
    CHECK(written(file) == report::render_ndjson({record}));
    CHECK(stream.error() == 0);
    std::fclose(file);
  }

  TEST_CASE("a record the run had no memory to copy is still a line, named from the list") {
    std::FILE *file = std::tmpfile();
    REQUIRE(file != nullptr);
    report::record_stream stream(file, text::name_list{"Adele", "Tab\t\"quoted\" \\ Björk"});
    itunes::artist_record lost;  // what the engine hands over then: no name, the error
    lost.error = "out of memory";
    lost.attempts = 2;
    stream.artist_finished(1, lost, {});
    const std::string line = written(file);
    CHECK(line == "{\"artist\":\"Tab\\u0009\\\"quoted\\\" \\\\ Björk\",\"status\":\"error\","
                  "\"error\":\"out of memory\",\"attempts\":2}\n");
    rapidjson::Document document;
    document.Parse(line.c_str());
    REQUIRE_FALSE(document.HasParseError());
    CHECK(std::string(document["artist"].GetString()) == "Tab\t\"quoted\" \\ Björk");
    std::fclose(file);
  }
}

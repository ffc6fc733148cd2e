// The table end to end, for every kind of result the fixture server answers with (its media shapes follow
// real Apple bodies): each row shows the result's own title, the columns fit the kind, the headers name what
// the columns hold.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/fixture_server.hpp"
#include "support/run_artistfetch.hpp"
#include "support/run_output.hpp"

namespace {

using test_support::fixture_server;
using test_support::lines_of;
using test_support::run_artistfetch;

// The cells of a table line: the text between runs of two or more spaces.
std::vector<std::string> cells_of(const std::string &line) {
  std::vector<std::string> cells;
  std::size_t at = 0;
  while (at < line.size()) {
    std::size_t end = line.find("  ", at);
    if (end == std::string::npos) end = line.size();
    cells.push_back(line.substr(at, end - at));
    at = line.find_first_not_of(' ', end);
    if (at == std::string::npos) break;
  }
  return cells;
}

struct table_run {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

table_run table_for(const fixture_server &server, const std::string &entity, const std::string &artist) {
  const auto run = run_artistfetch(
      {"--base-url", server.base_url(), "--format", "table", "--entity", entity, "--limit", "10", artist});
  REQUIRE(run.exit_code == 0);
  const std::vector<std::string> lines = lines_of(run.out);
  REQUIRE(lines.size() >= 2);
  table_run table;
  table.header = cells_of(lines[0]);
  for (std::size_t i = 1; i < lines.size(); ++i) table.rows.push_back(cells_of(lines[i]));
  return table;
}

// The given member of each result the server answers for `artist` (as the program asks: same entity).
std::vector<std::string> server_field(const fixture_server &server, const std::string &entity,
                                      const std::string &artist, const char *field) {
  const std::string body =
      server.get("/search?term=" + test_support::url_encode(artist) + "&entity=" + entity + "&limit=10");
  rapidjson::Document document;
  document.Parse(body.c_str(), body.size());  // with its length: no SSE2 scan past the end
  REQUIRE(document.IsObject());
  std::vector<std::string> values;
  for (const auto &result : document["results"].GetArray()) {
    const auto name = result.FindMember("artistName");
    if (name == result.MemberEnd() || artist != name->value.GetString()) continue;
    const auto found = result.FindMember(field);
    values.push_back(found != result.MemberEnd() && found->value.IsString() ? found->value.GetString() : "");
  }
  return values;
}

void check_titles(const table_run &table, const std::vector<std::string> &titles) {
  REQUIRE(table.rows.size() == titles.size());
  for (std::size_t i = 0; i < titles.size(); ++i) {
    CAPTURE(i);
    REQUIRE(table.rows[i].size() >= 2);
    CHECK(table.rows[i][1] == titles[i]);
  }
}

TEST_SUITE("table by kind of result") {
  TEST_CASE("albums: title, release date, tracks and genre") {
    fixture_server server;
    const table_run table = table_for(server, "album", "Lorde");
    CHECK(table.header == std::vector<std::string>{"ARTIST", "ALBUM", "RELEASED", "TRACKS", "GENRE"});
    check_titles(table, server_field(server, "album", "Lorde", "collectionName"));
  }

  TEST_CASE("songs show their own title, their album and their length") {
    fixture_server server;
    const table_run table = table_for(server, "song", "Lorde");
    CHECK(table.header == std::vector<std::string>{"ARTIST", "SONG", "ALBUM", "LENGTH", "GENRE"});
    const std::vector<std::string> titles = server_field(server, "song", "Lorde", "trackName");
    check_titles(table, titles);
    const std::vector<std::string> albums = server_field(server, "song", "Lorde", "collectionName");
    // Two songs of one album are two different rows, not one album twice.
    REQUIRE(albums.size() >= 2);
    CHECK(albums[0] == albums[1]);
    CHECK(table.rows[0][1] != table.rows[1][1]);
    CHECK(table.rows[0][2] == albums[0]);
    for (const auto &row : table.rows) {
      REQUIRE(row.size() == 5);
      CHECK(row[3].find(':') != std::string::npos);  // m:ss
    }
    CHECK(table.rows[0][3] == "3:38");  // trackTimeMillis 218168
  }

  TEST_CASE("movies show year, length and genre; no empty album column") {
    fixture_server server;
    const table_run table = table_for(server, "movie", "Lorde");
    CHECK(table.header == std::vector<std::string>{"ARTIST", "MOVIE", "YEAR", "LENGTH", "GENRE"});
    check_titles(table, server_field(server, "movie", "Lorde", "trackName"));
    CHECK(table.rows[0][2] == "2021");
    CHECK(table.rows[0][3] == "1:44:35");  // trackTimeMillis 6274645.0, a float
  }

  TEST_CASE("apps show genre and price") {
    fixture_server server;
    const table_run table = table_for(server, "software", "Lorde");
    CHECK(table.header == std::vector<std::string>{"ARTIST", "APP", "GENRE", "PRICE"});
    check_titles(table, server_field(server, "software", "Lorde", "trackName"));
    const std::vector<std::string> prices = server_field(server, "software", "Lorde", "formattedPrice");
    for (std::size_t i = 0; i < prices.size(); ++i) CHECK(table.rows[i][3] == prices[i]);
  }

  TEST_CASE("ebooks (no wrapperType) show their title, date, genre and price") {
    fixture_server server;
    const table_run table = table_for(server, "ebook", "Lorde");
    CHECK(table.header == std::vector<std::string>{"ARTIST", "BOOK", "RELEASED", "GENRE", "PRICE"});
    check_titles(table, server_field(server, "ebook", "Lorde", "trackName"));
  }

  TEST_CASE("artist records show the artist's name, genre and link") {
    fixture_server server;
    const table_run table = table_for(server, "musicArtist", "Lorde");
    CHECK(table.header == std::vector<std::string>{"ARTIST", "NAME", "GENRE", "LINK"});
    REQUIRE(table.rows.size() == 1);
    CHECK(table.rows[0] ==
          std::vector<std::string>{"Lorde", "Lorde", "Alternative",
                                   server_field(server, "musicArtist", "Lorde", "artistLinkUrl")[0]});
  }

  TEST_CASE("TV episodes show the episode, its season and its length") {
    fixture_server server;
    const table_run table = table_for(server, "tvEpisode", "Lorde");
    CHECK(table.header == std::vector<std::string>{"ARTIST", "EPISODE", "SEASON", "RELEASED", "LENGTH"});
    check_titles(table, server_field(server, "tvEpisode", "Lorde", "trackName"));
    CHECK(table.rows[0][2] == server_field(server, "tvEpisode", "Lorde", "collectionName")[0]);
  }

  TEST_CASE("podcasts and audiobooks (no trackName: the title is collectionName)") {
    fixture_server server;
    const table_run podcasts = table_for(server, "podcast", "Lorde");
    CHECK(podcasts.header == std::vector<std::string>{"ARTIST", "PODCAST", "RELEASED", "EPISODES", "GENRE"});
    check_titles(podcasts, server_field(server, "podcast", "Lorde", "trackName"));
    const table_run books = table_for(server, "audiobook", "Lorde");
    CHECK(books.header == std::vector<std::string>{"ARTIST", "AUDIOBOOK", "RELEASED", "GENRE", "PRICE"});
    check_titles(books, server_field(server, "audiobook", "Lorde", "collectionName"));
  }

  TEST_CASE("titles and names with lone UTF-16 surrogates show U+FFFD in their place, artist kept") {
    // The server sends "\udc00TITLE \ud800\u00e9 \ud83d\ude00 \ud800" for each title, and the artist's
    // own U+FFFD as \ud800 in one result and \udc00 in the other (scripts/fixture-server --help).
    fixture_server server;
    const std::string fffd = "\xEF\xBF\xBD";
    const std::string artist = "@lone-surrogates " + fffd + "Ann";
    const std::string body =
        server.get("/search?term=" + test_support::url_encode(artist) + "&entity=song&limit=10");
    REQUIRE(body.find(R"("@lone-surrogates \ud800Ann")") != std::string::npos);
    REQUIRE(body.find(R"("@lone-surrogates \udc00Ann")") != std::string::npos);
    // The titles as they should read: each plain title is also the server's trackCensoredName.
    std::vector<std::string> titles;
    const std::string key = "\"trackCensoredName\":\"";
    for (std::size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1)) {
      const std::size_t start = at + key.size();
      titles.push_back(fffd + body.substr(start, body.find('"', start) - start) + " " + fffd +
                       "\xC3\xA9 \xF0\x9F\x98\x80 " + fffd);
    }
    const table_run table = table_for(server, "song", artist);
    CHECK(table.header == std::vector<std::string>{"ARTIST", "SONG", "ALBUM", "LENGTH", "GENRE"});
    REQUIRE(table.rows.size() == 2);  // the two songs by the artist: one decoded from each kind
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
      CAPTURE(i);
      REQUIRE(table.rows[i].size() == 5);
      CHECK(table.rows[i][0] == artist);
      CHECK(std::find(titles.begin(), titles.end(), table.rows[i][1]) != titles.end());
      CHECK(table.rows[i][2].rfind(fffd, 0) == 0);
    }
  }

  TEST_CASE("a mix of kinds gets a KIND column and a TITLE header") {
    fixture_server server;
    const table_run table = table_for(server, "allTrack", "Lorde");
    REQUIRE(table.header.size() >= 4);
    CHECK(table.header[0] == "ARTIST");
    CHECK(table.header[1] == "KIND");
    CHECK(table.header[2] == "TITLE");
    REQUIRE(table.rows.size() >= 5);
    const std::vector<std::string> kinds = {"song", "movie", "episode", "podcast", "audiobook"};
    for (std::size_t i = 0; i < kinds.size(); ++i) CHECK(table.rows[i][1] == kinds[i]);
  }
}

}  // namespace

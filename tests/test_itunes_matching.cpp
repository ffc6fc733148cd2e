// Tests of src/itunes/matching: case folding, diacritics, nocase filtering, edit distance and suggestions;
// and how the aggregator and the renderers carry suggestions. No I/O.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "text/escape.hpp"
#include "text/width.hpp"
#include "report/output.hpp"
#include "itunes/aggregator.hpp"
#include "itunes/matching.hpp"
#include "itunes/results.hpp"

using namespace std::string_literals;

namespace {

itunes::album by(const std::string &artist_name) {
  itunes::album album;
  album.json = "{\"artistName\":\"" + artist_name + "\"}";
  album.artist_name = artist_name;
  return album;
}

std::vector<itunes::album> albums_by(const std::vector<std::string> &names) {
  std::vector<itunes::album> albums;
  for (const std::string &name : names) albums.push_back(by(name));
  return albums;
}

std::vector<std::string> artists_of(const std::vector<itunes::album> &albums) {
  std::vector<std::string> names;
  for (const itunes::album &album : albums) names.push_back(album.artist_name.value_or("(none)"));
  return names;
}

// A response body whose results have these artistNames, in order.
std::string body_with(const std::vector<std::string> &names) {
  std::string body = "{\"resultCount\":" + std::to_string(names.size()) + ",\"results\":[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) body += ',';
    body += "{\"artistName\":";
    text::append_json_string(body, names[i]);
    body += ",\"collectionName\":\"Album " + std::to_string(i) + "\"}";
  }
  return body + "]}";
}

// An ok record without results.
itunes::artist_record no_match(const std::string &artist, std::vector<std::string> suggestions) {
  itunes::artist_record record;
  record.artist = artist;
  record.ok = true;
  record.http_status = 200;
  record.attempts = 1;
  for (const std::string &name : suggestions)
    record.suggestion_notes.push_back(name == "Billie Eilish" ? "differs in spelling" : "n");
  record.suggestions = std::move(suggestions);
  return record;
}

}  // namespace

TEST_SUITE("matching") {
  TEST_CASE("fold_case folds ASCII, Latin-1 and Latin Extended-A, and keeps the diacritics") {
    CHECK(itunes::fold_case("Billie EILISH") == "billie eilish");
    CHECK(itunes::fold_case("BEYONCÉ") == "beyoncé");
    CHECK(itunes::fold_case("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ") == "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþ");
    CHECK(itunes::fold_case("×÷") == "×÷");  // not letters
    CHECK(itunes::fold_case("ŁÓDŹ ŻÓŁĆ") == "łódź żółć");
    CHECK(itunes::fold_case("ĞÜŞÖÇ") == "ğüşöç");
    CHECK(itunes::fold_case("ŐŰ ĲŒŸ") == "őű ĳœÿ");
    CHECK(itunes::fold_case("ĹĽŇ") == "ĺľň");  // the odd-capital stretch of Latin Extended-A
    CHECK(itunes::fold_case("ſ") == "s");
    CHECK(itunes::fold_case("Ǆ ǅ") == "ǆ ǆ");
    CHECK(itunes::fold_case("ƠƯ ĐẶNG") == "ơư đặng");  // Vietnamese: Latin Extended-B and Additional
    CHECK(itunes::fold_case("ＡＢＣ") == "ａｂｃ");    // fullwidth
  }

  TEST_CASE("fold_case folds Greek, final sigma included, and Cyrillic") {
    CHECK(itunes::fold_case("ΣΊΣΥΦΟΣ") == "σίσυφοσ");
    CHECK(itunes::fold_case("σίσυφος") == "σίσυφοσ");  // final sigma folds to sigma
    CHECK(itunes::fold_case("ΆΈΉΊΌΎΏ") == "άέήίόύώ");
    CHECK(itunes::fold_case("µ") == "μ");  // MICRO SIGN
    CHECK(itunes::fold_case("ЖАННА АГУЗАРОВА") == "жанна агузарова");
    CHECK(itunes::fold_case("ЁЖИК ЇЖАК ЎЖЫК") == "ёжик їжак ўжык");
    CHECK(itunes::fold_case("ҐӀ") == "ґӏ");
    CHECK(itunes::fold_case("ԱՐԱՄ") == "արամ");  // Armenian
  }

  TEST_CASE("fold_case keeps ß, İ, unfolded scripts and invalid bytes") {
    CHECK(itunes::fold_case("ß") == "ß");
    CHECK(itunes::fold_case("ẞ") == "ß");  // capital sharp s: simple folding gives ß, not "ss"
    CHECK(itunes::fold_case("STRASSE") != itunes::fold_case("Straße"));
    CHECK(itunes::fold_case("İ") == "İ");
    CHECK(itunes::fold_case("ı") == "ı");
    CHECK(itunes::fold_case("坂本龍一") == "坂本龍一");
    CHECK(itunes::fold_case("A\xff"
                            "B\xc3") ==
          "a\xff"
          "b\xc3");
    CHECK(itunes::fold_case("") == "");
  }

  TEST_CASE("loose_key strips diacritics and spells out ligatures") {
    CHECK(itunes::loose_key("Beyoncé") == "beyonce");
    CHECK(itunes::loose_key("Sigur Rós") == "sigur ros");
    CHECK(itunes::loose_key("Motörhead") == "motorhead");
    CHECK(itunes::loose_key("Røyksopp") == "royksopp");
    CHECK(itunes::loose_key("Łona") == "lona");
    CHECK(itunes::loose_key("Ólafur Arnalds") == "olafur arnalds");
    CHECK(itunes::loose_key("Sinéad O’Connor") == "sinead o’connor");
    CHECK(itunes::loose_key("Mötley Crüe") == "motley crue");
    CHECK(itunes::loose_key("Straße") == "strasse");
    CHECK(itunes::loose_key("ẞ") == "ss");
    CHECK(itunes::loose_key("Æther Œuvre") == "aether oeuvre");
    CHECK(itunes::loose_key("Þórir") == "thorir");
    CHECK(itunes::loose_key("Đặng Thái Sơn") == "dang thai son");
    CHECK(itunes::loose_key("Beyonce\xcc\x81") == "beyonce");  // a combining acute accent is dropped
    CHECK(itunes::loose_key("Ελευθερία Αρβανιτάκη") == "ελευθερια αρβανιτακη");
    CHECK(itunes::loose_key("Ёлка") == "елка");
  }

  TEST_CASE("loose_key into a buffer replaces what the buffer held") {
    std::string key = "a much longer key left over from the name before";
    itunes::loose_key("Mötley Crüe", key);
    CHECK(key == "motley crue");
    itunes::loose_key("", key);
    CHECK(key.empty());
  }

  TEST_CASE("suggestions for one response compare each name afresh") {
    // Names of decreasing length through the same distance buffers: a row left from a longer name must
    // not leak into the next comparison.
    std::vector<itunes::album> albums(4);
    albums[0].artist_name = "Billie Eilish and Friends Forever";
    albums[1].artist_name = "Billie Eilish";
    albums[2].artist_name = "Bill";
    albums[3].artist_name = "Billie Eilish";  // a duplicate is offered once
    CHECK(itunes::suggest_names(albums, "Billy Eilish") == std::vector<std::string>{"Billie Eilish"});
    CHECK(itunes::suggest_names(albums, "Bil") == std::vector<std::string>{"Bill"});
  }

  TEST_CASE("exact matching compares NFC, bytes byte for byte, nocase NFKC case-folded but keeps diacritics") {
    using itunes::match_mode;
    CHECK(itunes::names_match("Beyoncé", "Beyoncé", match_mode::exact));
    CHECK_FALSE(itunes::names_match("Beyoncé", "beyoncé", match_mode::exact));
    CHECK(itunes::names_match("Beyoncé", "beyoncé", match_mode::nocase));
    CHECK(itunes::names_match("BEYONCÉ", "beyoncé", match_mode::nocase));
    CHECK_FALSE(itunes::names_match("Beyoncé", "beyonce", match_mode::nocase));
    CHECK_FALSE(itunes::names_match(" Beyoncé", "beyoncé", match_mode::nocase));  // no trimming
    CHECK(itunes::names_match("ΣΊΣΥΦΟΣ", "σίσυφος", match_mode::nocase));
    CHECK(itunes::names_match("ЗЕМФИРА", "Земфира", match_mode::nocase));
    CHECK(itunes::names_match("Straße", "STRASSE", match_mode::nocase));  // full folding: ß is "ss"
  }

  TEST_CASE("canonically equivalent names match by default, not under bytes") {
    using itunes::match_mode;
    const std::string nfd = "Jose\xcc\x81 James", nfc = "Jos\xc3\xa9 James";
    CHECK(itunes::names_match(nfd, nfc, match_mode::exact));
    CHECK(itunes::names_match(nfc, nfd, match_mode::exact));
    CHECK_FALSE(itunes::names_match(nfd, nfc, match_mode::bytes));
    CHECK(itunes::names_match(nfd, nfc, match_mode::nocase));
    CHECK(itunes::names_match(nfd, "JOS\xc3\x89 JAMES", match_mode::nocase));
    // Compatibility forms are not canonical: a no-break space is a space only under nocase.
    CHECK_FALSE(itunes::names_match("Lewis\u00a0Carroll", "Lewis Carroll", match_mode::exact));
    CHECK(itunes::names_match("Lewis\u00a0Carroll", "lewis carroll", match_mode::nocase));
    CHECK(itunes::names_match("Mit\u200bski", "MITSKI", match_mode::nocase));  // zero width: ignored
    CHECK_FALSE(itunes::names_match("Mit\u200bski", "Mitski", match_mode::exact));
    CHECK(itunes::names_match("\uff2c\uff4f\uff52\uff44\uff45", "lorde", match_mode::nocase));  // fullwidth
    // Invalid bytes still compare byte for byte.
    CHECK(itunes::names_match("A\xff", "A\xff", match_mode::exact));
    CHECK_FALSE(itunes::names_match("A\xff", "a\xff", match_mode::exact));
  }

  TEST_CASE("matches_key agrees with names_match for ASCII and other names alike") {
    using itunes::match_mode;
    for (const match_mode mode : {match_mode::exact, match_mode::bytes, match_mode::nocase}) {
      for (const char *artist : {"Lorde", "LORDE", "lorde", "Jos\xc3\xa9", "Jose\xcc\x81", "Lorde "}) {
        for (const char *name : {"Lorde", "LORDE", "lOrDe", "Lord", "Jos\xc3\xa9", "JOSE\xcc\x81", "Lorde "}) {
          CAPTURE(artist);
          CAPTURE(name);
          CHECK(itunes::matches_key(name, itunes::match_key(artist, mode), mode) ==
                (itunes::match_key(name, mode) == itunes::match_key(artist, mode)));
        }
      }
    }
  }

  TEST_CASE("an NFD artistName in a response matches the NFC name under exact, not under bytes") {
    const std::string body = body_with({"Jose\xcc\x81 James", "Jose\xcc\x81 James & Friends"});
    const itunes::artist_record exact =
        itunes::record_from_response("Jos\xc3\xa9 James", 200, body, 1, itunes::match_mode::exact);
    CHECK(artists_of(exact.results) == std::vector<std::string>{"Jose\xcc\x81 James"});
    const itunes::artist_record bytes =
        itunes::record_from_response("Jos\xc3\xa9 James", 200, body, 1, itunes::match_mode::bytes);
    CHECK(bytes.results.empty());
    REQUIRE(bytes.suggestions == std::vector<std::string>{"Jose\xcc\x81 James"});
    CHECK(bytes.suggestion_notes == std::vector<std::string>{"differs only in Unicode normalization"});
  }

  TEST_CASE("a name that differs only invisibly is described in words") {
    CHECK(itunes::describe_difference("Lewis\u00a0Carroll", "Lewis Carroll") ==
          "differs only by U+00A0 NO-BREAK SPACE");
    CHECK(itunes::describe_difference("Lewis Carroll", "Lewis\u00a0Carroll") ==
          "differs only by U+00A0 NO-BREAK SPACE");
    CHECK(itunes::describe_difference("Mit\u200bski", "Mitski") == "differs only by U+200B ZERO WIDTH SPACE");
    CHECK(itunes::describe_difference("Phoebe Bridgers ", "Phoebe Bridgers") ==
          "differs only by a trailing U+0020 SPACE");
    CHECK(itunes::describe_difference("\u3000Lorde", "Lorde") == "differs only by a leading U+3000 IDEOGRAPHIC SPACE");
    CHECK(itunes::describe_difference("Lewis  Carroll", "Lewis Carroll") == "differs only by an extra U+0020 SPACE");
    CHECK(itunes::describe_difference("Lewis\u202fCarroll\u2060", "Lewis Carroll") ==
          "differs only by U+202F NARROW NO-BREAK SPACE and a trailing U+2060 WORD JOINER");
    CHECK(itunes::describe_difference("lewis\u00a0carroll", "Lewis Carroll") ==
          "differs only in case and by U+00A0 NO-BREAK SPACE");
    CHECK(itunes::describe_difference("LORDE", "Lorde") == "differs only in case");
    CHECK(itunes::describe_difference("Beyonce", "Beyoncé") == "differs only in accents");
    CHECK(itunes::describe_difference("Billie Eilish", "Billy Eilish") == "differs in spelling");
    CHECK(itunes::describe_difference("LewisCarroll", "Lewis Carroll") == "differs in spelling");  // seen
    CHECK(itunes::describe_difference("Lorde", "Lorde").empty());
  }

  TEST_CASE("suggestions rank invisible differences, then case, then accents, then spelling") {
    const std::vector<itunes::album> albums =
        albums_by({"Lewis Carrol", "LEWIS CARROLL", "Léwis Carroll", "Lewis\u00a0Carroll", "Various Artists"});
    const std::vector<itunes::suggestion> got = itunes::suggest(albums, "Lewis Carroll");
    REQUIRE(got.size() == 3);
    CHECK(got[0].name == "Lewis\u00a0Carroll");
    CHECK(got[0].note == "differs only by U+00A0 NO-BREAK SPACE");
    CHECK(got[1].name == "LEWIS CARROLL");
    CHECK(got[1].note == "differs only in case");
    CHECK(got[2].name == "Léwis Carroll");
    CHECK(got[2].note == "differs only in accents");
    // A name equal after case folding ranks before a closer one that differs in letters.
    CHECK(itunes::suggest_names(albums_by({"Mitzki", "MITSKI"}), "Mitski") ==
          std::vector<std::string>{"MITSKI", "Mitzki"});
  }

  TEST_CASE("every ok record counts the results the server sent, and knows when the page was full") {
    itunes::aggregator agg({"The National", "Lorde", "Nobody"}, itunes::match_mode::exact, 3);
    agg.complete_with_response(0, 200, body_with({"The Nationals", "The National Parks", "Nationalists"}), 1);
    agg.complete_with_response(1, 200, body_with({"Lorde", "Lorde & Friends"}), 1);
    agg.complete_with_error(2, "HTTP 500", 500, 4);
    const std::vector<itunes::artist_record> report = agg.take_report().to_vector();
    CHECK(report[0].result_count == 3);
    CHECK(report[0].page_full);
    CHECK(report[1].result_count == 2);
    CHECK_FALSE(report[1].page_full);
    CHECK_FALSE(report[2].page_full);
    CHECK(report::record_json(report[1]).find(R"("attempts":1,"result_count":2,"results":[)") !=
          std::string::npos);
    CHECK(report::render_table(report).find(
              "The National  did you mean \"The Nationals\"? no match in the first 3 results; a larger --limit "
              "may find it\n") != std::string::npos);
    // Without a page size nothing is known to be full.
    itunes::aggregator unknown({"The National"});
    unknown.complete_with_response(0, 200, body_with({"The Nationals"}), 1);
    CHECK_FALSE(unknown.take_report()[0].page_full);
  }

  TEST_CASE("record_from_response keeps the matches in the server's order, under either mode") {
    const std::string body =
        body_with({"Beyoncé", "The Carters", "BEYONCÉ", "Beyonce", "beyoncé", "Beyoncé & Shakira"});
    const auto kept = [&body](const std::string &artist, itunes::match_mode mode) {
      return artists_of(itunes::record_from_response(artist, 200, body, 1, mode).results);
    };
    CHECK(kept("beyoncé", itunes::match_mode::nocase) == std::vector<std::string>{"Beyoncé", "BEYONCÉ", "beyoncé"});
    CHECK(kept("beyoncé", itunes::match_mode::exact) == std::vector<std::string>{"beyoncé"});
    CHECK(kept("Beyoncé", itunes::match_mode::exact) == std::vector<std::string>{"Beyoncé"});
    // An album without a string artistName matches nothing, not even the empty name.
    const std::string nameless = R"({"results":[{},{"artistName":null}]})";
    CHECK(itunes::record_from_response("", 200, nameless, 1, itunes::match_mode::nocase).results.empty());
  }

  TEST_CASE("edit_distance counts code points and stops past the limit") {
    CHECK(itunes::edit_distance("billy eilish", "billie eilish", 10) == 2);
    CHECK(itunes::edit_distance("kitten", "sitting", 10) == 3);
    CHECK(itunes::edit_distance("", "abc", 10) == 3);
    CHECK(itunes::edit_distance("abc", "", 10) == 3);
    CHECK(itunes::edit_distance("", "", 0) == 0);
    CHECK(itunes::edit_distance("é", "e", 10) == 1);  // one code point, two bytes
    CHECK(itunes::edit_distance("坂本龍一", "坂本龍二", 10) == 1);
    CHECK(itunes::edit_distance("abcdef", "ghijkl", 2) > 2);
    CHECK(itunes::edit_distance("a", "abcdefgh", 3) > 3);
    CHECK(itunes::edit_distance("flaw", "lawn", 2) == 2);
    // The band must not change the answer: compare with a generous limit on longer strings.
    CHECK(itunes::edit_distance("the quick brown fox", "the quack brown fix", 3) == 2);
    CHECK(itunes::edit_distance("the quick brown fox", "the quack brown fix", 1) > 1);
  }

  TEST_CASE("Billy Eilish gets Billie Eilish suggested") {
    const std::vector<itunes::album> albums = albums_by(
        {"Billie Eilish", "Billie Eilish", "Billie Eilish & Khalid", "Billie Eilish", "Various Artists"});
    CHECK(itunes::suggest_names(albums, "Billy Eilish") == std::vector<std::string>{"Billie Eilish"});
  }

  TEST_CASE("suggestions ignore case and diacritics, rank by distance, then by the server's order") {
    const std::vector<itunes::album> albums =
        albums_by({"The Carters", "Beyonce & Shakira", "BEYONCÉ", "Beyoncé", "Beyonca", "Bey"});
    // "BEYONCÉ" and "Beyoncé" are 0 away from "beyonce", "Beyonca" 1; "Bey" is 4 away (limit 2).
    CHECK(itunes::suggest_names(albums, "beyonce") ==
          std::vector<std::string>{"BEYONCÉ", "Beyoncé", "Beyonca"});
    CHECK(itunes::suggest_names(albums, "beyonce", 2) == std::vector<std::string>{"BEYONCÉ", "Beyoncé"});
    CHECK(itunes::suggest_names(albums, "beyonce", 0).empty());
  }

  TEST_CASE("suggestions are distinct, exclude the name itself and far names") {
    CHECK(itunes::suggest_names(albums_by({"Lorde", "Lorde", "lorde", "Lorde", "Lord"}), "Lorde") ==
          std::vector<std::string>{"lorde", "Lord"});
    CHECK(itunes::suggest_names(albums_by({"Radiohead", "Vitamin String Quartet"}), "Lorde").empty());
    // A short name still allows 2 edits; a long one a third of its length.
    CHECK(itunes::suggest_names(albums_by({"Abba"}), "Aba") == std::vector<std::string>{"Abba"});
    CHECK(itunes::suggest_names(albums_by({"Cab"}), "Abc").size() == 1);  // 2 edits
    CHECK(itunes::suggest_names(albums_by({"Xyz"}), "Abc").empty());      // 3 edits
    CHECK(itunes::suggest_names(albums_by({"Sigur Ros Orchestra"}), "Sigur Rós").empty());
    CHECK(itunes::suggest_names({}, "Anyone").empty());
    itunes::album nameless;
    nameless.json = "{}";
    CHECK(itunes::suggest_names({nameless}, "Anyone").empty());
  }

  TEST_CASE("a very long name is compared quickly") {
    const std::string long_name(1000, 'a');
    std::vector<itunes::album> albums;
    for (int i = 0; i < 50; ++i) albums.push_back(by(std::string(950 + i * 2, 'a') + std::to_string(i)));
    const std::vector<std::string> names = itunes::suggest_names(albums, long_name);
    CHECK(names.size() == 3);
  }
}

TEST_SUITE("matching in the aggregator") {
  TEST_CASE("under nocase the table shows the artist name as Apple wrote it") {
    const itunes::artist_record record = itunes::record_from_response(
        "lewis carroll", 200, body_with({"Lewis\u00a0Carroll", "Various Artists"}), 1, itunes::match_mode::nocase);
    REQUIRE(record.results.size() == 1);
    itunes::artist_record named = record;
    named.artist = "lewis carroll";
    const std::string table = report::render_table({named});
    CHECK(table.find("Lewis\u00a0Carroll  Album 0") != std::string::npos);
    CHECK(table.find("lewis carroll") == std::string::npos);
  }

  TEST_CASE("a record without matches carries the suggestions, one with matches none") {
    itunes::aggregator agg({"Billy Eilish", "Billie Eilish", "Nobody", "Empty"});
    const std::string billie = body_with({"Billie Eilish", "Billie Eilish & Khalid", "Various Artists"});
    agg.complete_with_response(0, 200, billie, 1);
    agg.complete_with_response(1, 200, billie, 1);
    agg.complete_with_response(2, 200, body_with({"Radiohead"}), 1);
    agg.complete_with_response(3, 200, body_with({}), 1);
    const std::vector<itunes::artist_record> report = agg.take_report().to_vector();
    CHECK(report[0].ok);
    CHECK(report[0].results.empty());
    CHECK(report[0].suggestions == std::vector<std::string>{"Billie Eilish"});
    CHECK(report[0].suggestion_notes == std::vector<std::string>{"differs in spelling"});
    CHECK(report[1].results.size() == 1);
    CHECK(report[1].suggestions.empty());
    CHECK(report[2].results.empty());
    CHECK(report[2].suggestions.empty());  // nothing close
    CHECK(report[3].suggestions.empty());  // no results at all
  }

  TEST_CASE("the aggregator filters with its match mode") {
    const std::string body = body_with({"Beyoncé", "The Carters", "BEYONCÉ", "Beyonce"});
    itunes::aggregator exact({"beyoncé"});
    exact.complete_with_response(0, 200, body, 1);
    itunes::aggregator nocase({"beyoncé", "beyonce"}, itunes::match_mode::nocase);
    nocase.complete_with_response(0, 200, body, 1);
    nocase.complete_with_response(1, 200, body, 1);
    const std::vector<itunes::artist_record> exact_report = exact.take_report().to_vector();
    const std::vector<itunes::artist_record> nocase_report = nocase.take_report().to_vector();
    CHECK(exact_report[0].results.empty());
    CHECK(exact_report[0].suggestions == std::vector<std::string>{"Beyoncé", "BEYONCÉ", "Beyonce"});
    CHECK(exact_report[0].suggestion_notes ==
          std::vector<std::string>{"differs only in case", "differs only in case", "differs only in accents"});
    CHECK(artists_of(nocase_report[0].results) == std::vector<std::string>{"Beyoncé", "BEYONCÉ"});
    CHECK(nocase_report[0].suggestions.empty());
    CHECK(artists_of(nocase_report[1].results) == std::vector<std::string>{"Beyonce"});
  }
}

TEST_SUITE("suggestions output") {
  TEST_CASE("ndjson and json records end with the suggestions") {
    const itunes::artist_record record = no_match("Billy Eilish", {"Billie Eilish", "Bil\"ly"});
    CHECK(report::record_json(record) ==
          R"({"artist":"Billy Eilish","status":"ok","attempts":1,"result_count":0,"results":[],)"
          R"("suggestions":["Billie Eilish","Bil\"ly"],"suggestion_notes":["differs in spelling","n"]})");
    CHECK(report::render_ndjson({record}) == report::record_json(record) + "\n");
    CHECK(report::render_json({record}).find(R"("results":[],"suggestions":["Billie Eilish","Bil\"ly"],)") !=
          std::string::npos);
    // Without suggestions nothing changes.
    CHECK(report::record_json(no_match("Zed", {})) ==
          R"({"artist":"Zed","status":"ok","attempts":1,"result_count":0,"results":[]})");
  }

  TEST_CASE("the table says did you mean") {
    CHECK(report::render_table({no_match("Billy Eilish", {"Billie Eilish"})}) ==
          "ARTIST        ALBUM  RELEASED  TRACKS  GENRE\n"
          "Billy Eilish  no exact match; did you mean \"Billie Eilish\"?\n");
    CHECK(report::render_table({no_match("x", {"A", "B"})}).find("did you mean \"A\" or \"B\"?") !=
          std::string::npos);
    CHECK(report::render_table({no_match("x", {"A", "B", "C"})}).find("did you mean \"A\", \"B\" or \"C\"?") !=
          std::string::npos);
    CHECK(report::render_table({no_match("Zed", {})}).find("(no exact match)") != std::string::npos);
    itunes::artist_record nocase = no_match("Zed", {});
    nocase.match = itunes::match_mode::nocase;
    CHECK(report::render_table({nocase}).find("(no match)") != std::string::npos);  // not "exact"
    // A note is shown for a difference hard to see, not for a spelling one.
    itunes::artist_record lewis = no_match("Lewis Carroll", {"Lewis\u00a0Carroll", "Lewis Carrol"});
    lewis.suggestion_notes = {"differs only by U+00A0 NO-BREAK SPACE", "differs in spelling"};
    CHECK(report::render_table({lewis}).find("did you mean \"Lewis\u00a0Carroll\" (differs only by U+00A0 "
                                             "NO-BREAK SPACE) or \"Lewis Carrol\"?") != std::string::npos);
    // Untrusted names stay on one line.
    CHECK(report::render_table({no_match("x", {"A\nB\x1b[31m"})}).find('\x1b') == std::string::npos);
  }
}

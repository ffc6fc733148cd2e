// Tests of src/itunes/results: parsing and filtering responses, byte for byte. No I/O besides the fixture.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "itunes/aggregator.hpp"
#include "itunes/query.hpp"
#include "itunes/results.hpp"
#include "support/json_text.hpp"
#include "support/run_output.hpp"
#include "text/utf8.hpp"

using namespace std::string_literals;

namespace {

using test_support::read_fixture;

using test_support::has_space_outside_strings;

// Parses like production does (explicit length, iterative, validated, numbers kept as text), so that two
// documents compare equal only when their numbers are written the same way.
struct parsed_json {
  rapidjson::Document doc;
  bool ok = false;
};

parsed_json parse_json(std::string_view text) {
  parsed_json out;
  constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
                             rapidjson::kParseNumbersAsStringsFlag;
  out.doc.Parse<flags>(text.data(), text.size());
  out.ok = !out.doc.HasParseError();
  return out;
}

// The last member named `key` (like the parser, the last duplicate wins), or null.
const rapidjson::Value *last_member(const rapidjson::Value &object, const char *key) {
  const rapidjson::Value *found = nullptr;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (std::strcmp(it->name.GetString(), key) == 0) found = &it->value;
  }
  return found;
}

std::string wrap(std::string_view elements) {
  return "{\"results\":[" + std::string(elements) + "]}";
}

// The albums an exact lookup of `artist` keeps from a 200 answer, as the runners record them.
std::vector<itunes::album> matches(const std::string &artist, std::string_view body) {
  itunes::artist_record record =
      itunes::record_from_response(artist, 200, body, 1, itunes::match_mode::exact);
  REQUIRE(record.ok);
  return std::move(record.results);
}

}  // namespace

TEST_SUITE("results") {
  TEST_CASE("the sample response gives its five albums with their fields") {
    const std::string body = read_fixture("album-sample.json");
    const itunes::parse_result parsed = itunes::parse_results(body);
    REQUIRE_MESSAGE(parsed.ok, parsed.error);
    REQUIRE(parsed.albums.size() == 5);

    const itunes::album &first = parsed.albums[0];
    REQUIRE(first.artist_name.has_value());
    CHECK(*first.artist_name == "Billie Eilish");
    CHECK(first.collection_name == "HIT ME HARD AND SOFT");
    CHECK(first.release_date == "2024-05-17T07:00:00Z");
    CHECK(first.primary_genre == "Alternative");
    CHECK(first.track_count == 10);

    // Escapes are decoded in the fields and kept as sent in json.
    CHECK(parsed.albums[1].collection_name ==
          "What Was I Made For? [From The Motion Picture \"Barbie\"] - Single");
    CHECK(parsed.albums[1].json.find(
              R"("collectionName":"What Was I Made For? [From The Motion Picture \"Barbie\"] - Single")") !=
          std::string::npos);
    CHECK(parsed.albums[1].track_count == 1);

    CHECK(*parsed.albums[2].artist_name == "Billie Eilish & Khalid");
    CHECK(*parsed.albums[3].artist_name == "Billie Eilish");
    CHECK(parsed.albums[3].track_count == 14);
    CHECK(*parsed.albums[4].artist_name == "Various Artists");
    CHECK(parsed.albums[4].primary_genre == "Pop");
  }

  TEST_CASE("each album's json is its element without whitespace and parses back to the same value") {
    const std::string body = read_fixture("album-sample.json");
    const itunes::parse_result parsed = itunes::parse_results(body);
    REQUIRE(parsed.ok);
    const parsed_json whole = parse_json(body);
    REQUIRE(whole.ok);
    const rapidjson::Value &elements = whole.doc["results"];
    REQUIRE(elements.Size() == parsed.albums.size());
    for (rapidjson::SizeType i = 0; i < elements.Size(); ++i) {
      const std::string &json = parsed.albums[i].json;
      CAPTURE(json);
      CHECK(json.front() == '{');
      CHECK(json.back() == '}');
      CHECK_FALSE(has_space_outside_strings(json));
      const parsed_json again = parse_json(json);
      REQUIRE(again.ok);
      REQUIRE(again.doc.IsObject());
      CHECK(again.doc == elements[i]);
      const rapidjson::Value *name = last_member(again.doc, "artistName");
      REQUIRE(name != nullptr);
      CHECK(std::string_view(name->GetString(), name->GetStringLength()) == *parsed.albums[i].artist_name);
    }
    // The sample writes ", " between members; strings with spaces keep them.
    CHECK(parsed.albums[0].json.rfind(
              R"({"wrapperType":"collection","collectionType":"Album","artistId":1065981054,)", 0) == 0);
    CHECK(parsed.albums[0].json.find(R"("copyright":"℗ 2024 Darkroom/Interscope Records")") !=
          std::string::npos);
  }

  TEST_CASE("pretty-printed input keeps every value byte for byte") {
    const std::string body =
        "\n\n{\r\n  \"resultCount\" : 2,\r\n  \"results\" : [\r\n    {\r\n      \"artistName\" : \"Sigur "
        "R\\u00f3s\",\r\n"
        "\t\t\"collectionName\"\t:\t\"( )  \\\"x , y\\\" \\\\\",\n      \"collectionPrice\" : 1.50E+1 ,\n"
        "      \"nested\" : { \"a\" : [ 1 , { } , \"  \" ] },\n      \"trackCount\" : 12\n    } ,\n"
        "    { }\n  ]\n}\n\n";
    const itunes::parse_result parsed = itunes::parse_results(body);
    REQUIRE_MESSAGE(parsed.ok, parsed.error);
    REQUIRE(parsed.albums.size() == 2);
    CHECK(parsed.albums[0].json ==
          R"({"artistName":"Sigur R\u00f3s","collectionName":"( )  \"x , y\" \\","collectionPrice":1.50E+1,)"
          R"("nested":{"a":[1,{},"  "]},"trackCount":12})");
    CHECK(*parsed.albums[0].artist_name == "Sigur Rós");
    CHECK(parsed.albums[0].collection_name == "( )  \"x , y\" \\");
    CHECK(parsed.albums[0].track_count == 12);
    CHECK(parsed.albums[1].json == "{}");
    CHECK_FALSE(parsed.albums[1].artist_name.has_value());
  }

  TEST_CASE("the json slices start at the element's brace and end at its closing brace") {
    // Elements touching the brackets, commas and each other: an offset one byte off shows at once.
    const itunes::parse_result parsed =
        itunes::parse_results(R"({"results":[{},{"a":{}},{"b":[{}]}],"after":{"c":1}})");
    REQUIRE(parsed.ok);
    REQUIRE(parsed.albums.size() == 3);
    CHECK(parsed.albums[0].json == "{}");
    CHECK(parsed.albums[1].json == R"({"a":{}})");
    CHECK(parsed.albums[2].json == R"({"b":[{}]})");
  }

  TEST_CASE("an empty or whitespace-only body is reported as empty") {
    for (const char *body : {"", " ", "\n\n\r\n\t "}) {
      const itunes::parse_result parsed = itunes::parse_results(body);
      CHECK_FALSE(parsed.ok);
      CHECK(parsed.error == "response is empty");
    }
  }

  TEST_CASE("a NUL byte is rejected even after a complete document") {
    for (const std::string &body : {"{\"results\":[]}\0"s, "{\"results\":[]}\0garbage"s, "\0"s,
                                    "{\"results\":[{\"artistName\":\"a\0b\"}]}"s}) {
      const itunes::parse_result parsed = itunes::parse_results(body);
      CHECK_FALSE(parsed.ok);
      CHECK(parsed.error == "response contains a NUL byte");
    }
  }

  TEST_CASE("invalid UTF-8 in a string is an error") {
    const itunes::parse_result parsed = itunes::parse_results(wrap("{\"artistName\":\"Beyonc\xe9\"}"));
    CHECK_FALSE(parsed.ok);
    CHECK(parsed.error == "response is not valid JSON (Invalid encoding in string. at byte 33)");
  }

  TEST_CASE("UTF-8 truncated at the very end of the buffer is an error and nothing past it is read") {
    // An exact-size heap buffer: AddressSanitizer sees a read of the byte after it.
    const std::string text = "{\"results\":[{\"artistName\":\"\xe2\x82";
    const auto buffer = std::make_unique<char[]>(text.size());
    std::memcpy(buffer.get(), text.data(), text.size());
    const itunes::parse_result parsed = itunes::parse_results(std::string_view(buffer.get(), text.size()));
    CHECK_FALSE(parsed.ok);
    CHECK(parsed.error.rfind("response is not valid JSON (", 0) == 0);
  }

  TEST_CASE("a raw control byte in a string is an error wherever it falls, 0x1A to 0x1F included") {
    // RapidJSON 1.1.0's SSE2 scanner lets 0x1A to 0x1F through: such bodies must take the byte-by-byte path.
    // Each byte goes at every offset of a 16-byte block, deep inside a long string, where the SSE2 scan runs.
    for (int byte = 0x01; byte < 0x20; ++byte) {
      for (std::size_t offset = 40; offset < 56; ++offset) {
        CAPTURE(byte);
        CAPTURE(offset);
        std::string name(80, 'x');
        name[offset] = static_cast<char>(byte);
        const itunes::parse_result parsed = itunes::parse_results(wrap("{\"artistName\":\"" + name + "\"}"));
        CHECK_FALSE(parsed.ok);
        CHECK(parsed.error.find("Invalid") != std::string::npos);
      }
    }
  }

  TEST_CASE("long strings, escapes and whitespace parse alike at every alignment") {
    // The SSE2 scanners read aligned 16-byte blocks: shifting the document by 0 to 31 bytes of leading
    // whitespace moves every string across block boundaries.
    const std::string body = read_fixture("album-sample.json");
    const itunes::parse_result reference = itunes::parse_results(body);
    REQUIRE(reference.ok);
    for (std::size_t shift = 0; shift < 32; ++shift) {
      CAPTURE(shift);
      const std::string escaped = "{\"artistName\":\"A\\\"B\\u00e9" + std::string(shift, 'z') + "\"}";
      const itunes::parse_result parsed = itunes::parse_results(std::string(shift, ' ') + wrap(escaped));
      REQUIRE(parsed.ok);
      REQUIRE(parsed.albums.size() == 1);
      CHECK(*parsed.albums[0].artist_name == "A\"B\xc3\xa9" + std::string(shift, 'z'));
      const itunes::parse_result sample = itunes::parse_results(std::string(shift, '\n') + body);
      REQUIRE(sample.ok);
      REQUIRE(sample.albums.size() == reference.albums.size());
      for (std::size_t i = 0; i < sample.albums.size(); ++i)
        CHECK(sample.albums[i].json == reference.albums[i].json);
    }
  }

  TEST_CASE("an album the filter refuses keeps only its artistName") {
    const std::string body = read_fixture("album-sample.json");
    const itunes::parse_result all = itunes::parse_results(body);
    REQUIRE(all.ok);
    REQUIRE(all.albums.size() >= 2);
    const std::string wanted = *all.albums[0].artist_name;
    const itunes::parse_result some = itunes::parse_results(body, [&wanted](const std::string *artist_name) {
      return artist_name != nullptr && *artist_name == wanted;
    });
    REQUIRE(some.ok);
    REQUIRE(some.albums.size() == all.albums.size());
    for (std::size_t i = 0; i < all.albums.size(); ++i) {
      CAPTURE(i);
      CHECK(some.albums[i].artist_name == all.albums[i].artist_name);
      if (all.albums[i].artist_name == wanted) {
        CHECK(some.albums[i].json == all.albums[i].json);
        CHECK(some.albums[i].collection_name == all.albums[i].collection_name);
      } else {
        CHECK(some.albums[i].json.empty());
        CHECK(some.albums[i].collection_name.empty());
        CHECK_FALSE(some.albums[i].track_count.has_value());
      }
    }
  }

  TEST_CASE("a body cut short anywhere is an error") {
    const std::string body = read_fixture("album-sample.json");
    for (std::size_t size = 1; size < body.size(); size += 97) {
      const auto buffer = std::make_unique<char[]>(size);
      std::memcpy(buffer.get(), body.data(), size);
      const itunes::parse_result parsed = itunes::parse_results(std::string_view(buffer.get(), size));
      CHECK_FALSE(parsed.ok);
    }
  }

  TEST_CASE("trailing garbage after the document is an error") {
    const itunes::parse_result parsed = itunes::parse_results("{\"results\":[]} x");
    CHECK_FALSE(parsed.ok);
    CHECK(parsed.error ==
          "response is not valid JSON (The document root must not be followed by other values. at byte 15)");
    CHECK_FALSE(itunes::parse_results("{\"results\":[]}{}").ok);
    CHECK(itunes::parse_results("{\"results\":[]}\n\n").ok);
  }

  TEST_CASE("a top level that is not an object is an error") {
    for (const char *body : {"[]", "[{\"results\":[]}]", "\"results\"", "42", "null", "true"}) {
      CAPTURE(body);
      const itunes::parse_result parsed = itunes::parse_results(body);
      CHECK_FALSE(parsed.ok);
      CHECK(parsed.error == "response is not a JSON object");
    }
  }

  TEST_CASE("a missing or non-array results member is an error") {
    CHECK(itunes::parse_results("{}").error == "response has no \"results\" array");
    CHECK(itunes::parse_results(R"({"resultCount":0,"x":{"results":[]}})").error ==
          "response has no \"results\" array");
    for (const char *body :
         {R"({"results":{}})", R"({"results":null})", R"({"results":"[]"})", R"({"results":3})"}) {
      CAPTURE(body);
      const itunes::parse_result parsed = itunes::parse_results(body);
      CHECK_FALSE(parsed.ok);
      CHECK(parsed.error == "response \"results\" is not an array");
    }
  }

  TEST_CASE("an empty results array is a success with no albums") {
    const itunes::parse_result parsed = itunes::parse_results(R"({"resultCount":0,"results":[]})");
    CHECK(parsed.ok);
    CHECK(parsed.albums.empty());
  }

  TEST_CASE("elements that are not objects are skipped") {
    const itunes::parse_result parsed = itunes::parse_results(
        wrap(R"(1,"x",null,[{"artistName":"In an array"}],{"artistName":"A"},true,{})"));
    REQUIRE(parsed.ok);
    REQUIRE(parsed.albums.size() == 2);
    CHECK(*parsed.albums[0].artist_name == "A");
    CHECK(parsed.albums[0].json == R"({"artistName":"A"})");
    CHECK(parsed.albums[1].json == "{}");
  }

  TEST_CASE("an artistName that is not a string is kept by the parser without artist_name") {
    const std::string body =
        wrap(R"({"artistName":7},{"artistName":null},{"artistName":["A"]},{"artistName":{"x":"A"}})");
    const itunes::parse_result parsed = itunes::parse_results(body);
    REQUIRE(parsed.ok);
    REQUIRE(parsed.albums.size() == 4);
    for (const itunes::album &a : parsed.albums) CHECK_FALSE(a.artist_name.has_value());
    for (const char *artist : {"A", "7", ""}) {  // and so no name matches them
      CAPTURE(artist);
      CHECK(matches(artist, body).empty());
    }
  }

  TEST_CASE("fields of another type are left empty") {
    const itunes::parse_result parsed = itunes::parse_results(
        wrap(R"({"collectionName":1,"releaseDate":null,"primaryGenreName":{},"trackCount":"14"})"));
    REQUIRE(parsed.ok);
    REQUIRE(parsed.albums.size() == 1);
    CHECK(parsed.albums[0].collection_name.empty());
    CHECK(parsed.albums[0].release_date.empty());
    CHECK(parsed.albums[0].primary_genre.empty());
    CHECK_FALSE(parsed.albums[0].track_count.has_value());
  }

  TEST_CASE("keys inside nested values are not taken for the album's fields") {
    const itunes::parse_result parsed = itunes::parse_results(
        R"({"artistName":"Top","collectionName":"Top","results":[)"
        R"({"x":{"artistName":"Nested","trackCount":99},"y":[{"collectionName":"Nested"}],"artistName":"Real"},)"
        R"({"x":{"artistName":"Nested","releaseDate":"Nested","primaryGenreName":"Nested"}}],)"
        R"("other":[{"artistName":"Other"}]})");
    REQUIRE(parsed.ok);
    REQUIRE(parsed.albums.size() == 2);
    CHECK(*parsed.albums[0].artist_name == "Real");
    CHECK(parsed.albums[0].collection_name.empty());
    CHECK_FALSE(parsed.albums[0].track_count.has_value());
    CHECK_FALSE(parsed.albums[1].artist_name.has_value());
    CHECK(parsed.albums[1].release_date.empty());
    CHECK(parsed.albums[1].primary_genre.empty());

    // A nested duplicate of a field name must not reset the field read before it either.
    const itunes::parse_result before = itunes::parse_results(wrap(
        R"({"artistName":"Real","trackCount":3,"x":{"artistName":"Nested","trackCount":"n"},"y":[{"trackCount":1}]})"));
    REQUIRE(before.ok);
    REQUIRE(before.albums.size() == 1);
    CHECK(*before.albums[0].artist_name == "Real");
    CHECK(before.albums[0].track_count == 3);
  }

  TEST_CASE("objects in other top-level arrays are not albums") {
    const itunes::parse_result parsed = itunes::parse_results(
        R"({"before":[{"artistName":"X"}],"results":[{"artistName":"A"}],"after":[{}]})");
    REQUIRE(parsed.ok);
    REQUIRE(parsed.albums.size() == 1);
    CHECK(*parsed.albums[0].artist_name == "A");
  }

  TEST_CASE("a duplicate key: the last one wins") {
    const itunes::parse_result parsed = itunes::parse_results(
        wrap(R"({"artistName":"A","artistName":"B"},{"artistName":"A","artistName":1})"));
    REQUIRE(parsed.ok);
    REQUIRE(parsed.albums.size() == 2);
    CHECK(*parsed.albums[0].artist_name == "B");
    CHECK_FALSE(parsed.albums[1].artist_name.has_value());

    const itunes::parse_result twice =
        itunes::parse_results(R"({"results":[{"n":1}],"results":[{"n":2},{"n":3}]})");
    REQUIRE(twice.ok);
    REQUIRE(twice.albums.size() == 2);
    CHECK(twice.albums[0].json == R"({"n":2})");
    CHECK(itunes::parse_results(R"({"results":[{}],"results":0})").error ==
          "response \"results\" is not an array");
  }

  TEST_CASE("trackCount is kept only when it is an integer that fits") {
    const itunes::parse_result parsed = itunes::parse_results(
        wrap(R"({"trackCount":14},{"trackCount":-3},{"trackCount":0},{"trackCount":9223372036854775807},)"
             R"({"trackCount":9223372036854775808},{"trackCount":-9223372036854775809},{"trackCount":14.0},)"
             R"({"trackCount":1e3},{"trackCount":99999999999999999999999999999999999999999})"));
    REQUIRE(parsed.ok);
    REQUIRE(parsed.albums.size() == 9);
    CHECK(parsed.albums[0].track_count == 14);
    CHECK(parsed.albums[1].track_count == -3);
    CHECK(parsed.albums[2].track_count == 0);
    CHECK(parsed.albums[3].track_count == 9223372036854775807LL);
    for (std::size_t i = 4; i < 9; ++i) CHECK_FALSE(parsed.albums[i].track_count.has_value());
  }

  TEST_CASE("huge numbers and extreme exponents parse without harm and stay as written") {
    // A long fraction with a huge negative exponent is the shape of CVE-2024-38517 (int underflow of the
    // exponent); numbers-as-strings never computes that sum.
    const std::string digits(300, '9');
    const std::string body =
        wrap("{\"a\":" + digits + ",\"b\":-1e-9999999999999999999,\"c\":0." + std::string(5000, '0') +
             "1e-2147483647,\"d\":1e308,\"e\":-0.0E-0,\"trackCount\":" + digits + "}");
    const itunes::parse_result parsed = itunes::parse_results(body);
    REQUIRE_MESSAGE(parsed.ok, parsed.error);
    REQUIRE(parsed.albums.size() == 1);
    CHECK(parsed.albums[0].json == body.substr(12, body.size() - 14));
    CHECK_FALSE(parsed.albums[0].track_count.has_value());
  }

  TEST_CASE("numbers beyond a double are an error in RapidJSON 1.1.0 even as strings") {
    // It still scans each number as a double and refuses one past DBL_MAX: a clean error, never a crash.
    CHECK(itunes::parse_results(wrap("{\"a\":1e309}")).error ==
          "response is not valid JSON (Number too big to be stored in double. at byte 17)");
    CHECK(itunes::parse_results(wrap("{\"a\":" + std::string(400, '9') + "}")).error ==
          "response is not valid JSON (Number too big to be stored in double. at byte 17)");
  }

  TEST_CASE("200,000 nested brackets are an error, not a crash") {
    const std::string open(200000, '[');
    CHECK(itunes::parse_results(open).error == "response is not a JSON object");
    const itunes::parse_result parsed = itunes::parse_results("{\"results\":" + open);
    CHECK_FALSE(parsed.ok);
    CHECK(parsed.error.rfind("response is not valid JSON (", 0) == 0);
    std::string objects;
    for (int i = 0; i < 200000; ++i) objects += "{\"a\":";
    CHECK_FALSE(itunes::parse_results(wrap(objects)).ok);
  }

  TEST_CASE("200,000 balanced nested brackets inside an album parse") {
    const std::string body =
        wrap("{\"deep\":" + std::string(200000, '[') + std::string(200000, ']') + ",\"artistName\":\"A\"}");
    const itunes::parse_result parsed = itunes::parse_results(body);
    REQUIRE_MESSAGE(parsed.ok, parsed.error);
    REQUIRE(parsed.albums.size() == 1);
    CHECK(*parsed.albums[0].artist_name == "A");
    CHECK(parsed.albums[0].json.size() == body.size() - 14);
  }

  TEST_CASE("an HTML error page is not valid JSON") {
    const itunes::parse_result parsed = itunes::parse_results(
        "\n<!DOCTYPE html>\n<html><head><title>Error</title></head><body>503</body></html>\n");
    CHECK_FALSE(parsed.ok);
    CHECK(parsed.error == "response is not valid JSON (Invalid value. at byte 1)");
  }

  TEST_CASE("other syntax errors name RapidJSON's reason and the offset") {
    CHECK(itunes::parse_results(R"({"results":[1,]})").error ==
          "response is not valid JSON (Invalid value. at byte 14)");
    CHECK(itunes::parse_results(R"({"results":[{"a" 1}]})").error ==
          "response is not valid JSON (Missing a colon after a name of object member. at byte 17)");
  }
}

TEST_SUITE("results") {
  TEST_CASE("only the exact name is kept, in order") {
    const std::string sample = read_fixture("album-sample.json");
    const std::vector<itunes::album> kept = matches("Billie Eilish", sample);
    REQUIRE(kept.size() == 3);
    CHECK(kept[0].collection_name == "HIT ME HARD AND SOFT");
    CHECK(kept[1].track_count == 1);
    CHECK(kept[2].release_date == "2019-03-29T07:00:00Z");
    for (const itunes::album &a : kept) CHECK(*a.artist_name == "Billie Eilish");

    const std::vector<itunes::album> duo = matches("Billie Eilish & Khalid", sample);
    REQUIRE(duo.size() == 1);
    CHECK(duo[0].collection_name == "lovely - Single");
  }

  TEST_CASE("exact matching does not fold case or trim spaces") {
    const std::string sample = read_fixture("album-sample.json");
    for (const char *name : {"billie eilish", "BILLIE EILISH", "Billie eilish", " Billie Eilish",
                             "Billie Eilish ", "Billie  Eilish", "Billie", "Eilish", "Billie Eilish &", ""}) {
      CAPTURE(name);
      CHECK(matches(name, sample).empty());
    }
  }

  TEST_CASE("exact matching compares the decoded name in NFC, escapes included") {
    const std::string body = wrap(
        R"({"artistName":"Beyonc\u00e9"},{"artistName":"Beyoncé"},{"artistName":"Beyonce"},)"
        R"({"artistName":"Beyonce\u0301"},{"artistName":"\u5742\u672c\u9f8d\u4e00"},{"artistName":"AC\/DC"})");
    const std::vector<itunes::album> kept = matches("Beyoncé", body);
    REQUIRE(kept.size() == 3);
    CHECK(kept[0].json == R"({"artistName":"Beyonc\u00e9"})");
    CHECK(kept[1].json == R"({"artistName":"Beyoncé"})");
    CHECK(kept[2].json == R"({"artistName":"Beyonce\u0301"})");  // canonically equivalent
    const itunes::artist_record bytes =
        itunes::record_from_response("Beyoncé", 200, body, 1, itunes::match_mode::bytes);
    CHECK(bytes.results.size() == 2);
    CHECK(matches("坂本龍一", body).size() == 1);
    CHECK(matches("AC/DC", body).size() == 1);
  }
}

// Lone UTF-16 surrogates: \ud800 to \udbff not followed by a \u escape of \udc00 to \udfff, and \udc00 to
// \udfff not preceded by one. RapidJSON 1.1.0 rejects the first kind (the whole body) and decodes the second
// into the bytes of a surrogate, ED B0 80, which are not UTF-8.
TEST_SUITE("results") {
  const std::string fffd = "\xEF\xBF\xBD";

  // The one album of {"results":[{"artistName":"<escaped>","collectionName":"<escaped>"}]}.
  itunes::album single_album(const std::string &escaped) {
    const itunes::parse_result parsed = itunes::parse_results(
        wrap("{\"artistName\":\"" + escaped + "\",\"collectionName\":\"" + escaped + "\"}"));
    REQUIRE_MESSAGE(parsed.ok, parsed.error);
    REQUIRE(parsed.albums.size() == 1);
    return parsed.albums[0];
  }

  TEST_CASE("a lone surrogate of either kind decodes as U+FFFD wherever it falls in a string") {
    struct decoding {
      const char *escaped;
      std::string decoded;
    };
    const std::vector<decoding> cases = {
        {R"(\ud800)", fffd},
        {R"(\udc00)", fffd},
        {R"(\uDBFF)", fffd},
        {R"(\uDFFF)", fffd},
        {R"(\ud800Bjork)", fffd + "Bjork"},     // at the start
        {R"(Bjork\udc00)", "Bjork" + fffd},     // at the end
        {R"(Bj\ud800rk)", "Bj" + fffd + "rk"},  // inside
        {R"(Bj\udc00rk)", "Bj" + fffd + "rk"},
        {R"(\udc00\ud800)", fffd + fffd},         // low then high: two lone ones
        {R"(\ud800\udc00)", "\xF0\x90\x80\x80"},  // high then low: a pair, U+10000
        {R"(\ud83d\ude00)", "\xF0\x9F\x98\x80"},  // 😀
        {R"(\uD83D\uDE00)", "\xF0\x9F\x98\x80"},
        {R"(\udbff\udfff)", "\xF4\x8F\xBF\xBF"},  // U+10FFFF
        {R"(\ud800\u0041)", fffd + "A"},          // high before an escape that is no low one
        {R"(\ud800\u00e9)", fffd + "\xC3\xA9"},
        {R"(\ud800\ud800)", fffd + fffd},
        {R"(\ud800\ud800\udc00)", fffd + "\xF0\x90\x80\x80"},  // the second high pairs with the low
        {R"(\ud83d\ude00\udc00)", "\xF0\x9F\x98\x80" + fffd},
        {R"(\ud800\n)", fffd + "\n"},
        {R"(\ud800\"x)", fffd + "\"x"},
        {R"(\ud800\\udc00)", fffd + "\\udc00"},  // an escaped backslash: "udc00" is plain text
        {R"(\\ud800)", "\\ud800"},               // likewise: no escape at all
        {R"(\\\ud800)", "\\" + fffd},
        {R"(\ud800udc00)", fffd + "udc00"},
        {R"(\ud7ff\ue000)", "\xED\x9F\xBF\xEE\x80\x80"},  // the neighbours of the surrogates are plain
    };
    for (const decoding &c : cases) {
      CAPTURE(std::string(c.escaped));
      const itunes::album album = single_album(c.escaped);
      CHECK(*album.artist_name == c.decoded);
      CHECK(album.collection_name == c.decoded);
      CHECK(text::is_valid_utf8(*album.artist_name));
    }
  }

  TEST_CASE("an album's json spells a lone surrogate \\ufffd, so that it parses to what the fields hold") {
    const itunes::album album = single_album(R"(\udc00Bj\ud800rk \ud83d\ude00\ud800)");
    CHECK(album.json == R"({"artistName":"\ufffdBj\ufffdrk \ud83d\ude00\ufffd",)"
                        R"("collectionName":"\ufffdBj\ufffdrk \ud83d\ude00\ufffd"})");
    const parsed_json again = parse_json(album.json);
    REQUIRE(again.ok);
    CHECK(again.doc["artistName"].GetString() == *album.artist_name);
    CHECK(again.doc["collectionName"].GetString() == album.collection_name);
    // A pair and everything else stay as the server wrote them.
    CHECK(single_album(R"(\ud83d\ude00 \u00e9)").json.find(R"(\ud83d\ude00 \u00e9)") != std::string::npos);
  }

  TEST_CASE("every string field and every album decode lone surrogates alike") {
    const std::string body = wrap(
        R"({"artistName":"A\ud800","collectionName":"\udc00C","releaseDate":"\udfff","primaryGenreName":"G\udbff"},)"
        R"({"artistName":"B","trackName":"\ud800T","nested":{"x":["\udc00"]}},)"
        R"({"artist\ud800Name":"not the artistName member"})");
    const itunes::parse_result parsed = itunes::parse_results(body);
    REQUIRE_MESSAGE(parsed.ok, parsed.error);
    REQUIRE(parsed.albums.size() == 3);
    CHECK(*parsed.albums[0].artist_name == "A" + fffd);
    CHECK(parsed.albums[0].collection_name == fffd + "C");
    CHECK(parsed.albums[0].release_date == fffd);
    CHECK(parsed.albums[0].primary_genre == "G" + fffd);
    CHECK(parsed.albums[1].json == R"({"artistName":"B","trackName":"\ufffdT","nested":{"x":["\ufffd"]}})");
    CHECK_FALSE(parsed.albums[2].artist_name.has_value());
    CHECK(parsed.albums[2].json == R"({"artist\ufffdName":"not the artistName member"})");
  }

  TEST_CASE("a lone surrogate does not hide what else is wrong with a body") {
    for (const char *body : {R"({"results":[{"artistName":"\ud800)",           // cut short
                             R"({"results":[{"artistName":"\ud800\u12"}]})",   // a bad escape after it
                             R"({"results":[{"artistName":"\ud80"}]})",        // three hex digits
                             R"({"results":[{"artistName":"\ud800"}]} x)"}) {  // trailing garbage
      CAPTURE(std::string(body));
      CHECK_FALSE(itunes::parse_results(body).ok);
    }
    // The error's offset is the server's own: the replacement keeps every byte where it was.
    const itunes::parse_result parsed = itunes::parse_results(R"({"results":[{"artistName":"\ud800"},]})");
    CHECK(parsed.error == "response is not valid JSON (Invalid value. at byte 36)");
  }

  TEST_CASE("an artistName with a lone surrogate matches a name with U+FFFD at its place, and no other") {
    const std::string body = wrap(
        R"({"artistName":"Bj\ud800rk","collectionName":"High"},{"artistName":"Bj\udc00rk","collectionName":"Low"},)"
        R"({"artistName":"Björk","collectionName":"Plain"},{"artistName":"Bj\ud800\udc00rk","collectionName":"Pair"})");
    const std::vector<itunes::album> replaced = matches("Bj" + fffd + "rk", body);
    REQUIRE(replaced.size() == 2);
    CHECK(replaced[0].collection_name == "High");
    CHECK(replaced[1].collection_name == "Low");
    const std::vector<itunes::album> plain = matches("Björk", body);
    REQUIRE(plain.size() == 1);
    CHECK(plain[0].collection_name == "Plain");
    CHECK(matches("Bjrk", body).empty());
    CHECK(matches("Bj\xF0\x90\x80\x80rk", body).size() == 1);

    // Nothing matches "Bjork": the suggestions are drawn from the decoded names, valid UTF-8 every one.
    const itunes::artist_record none =
        itunes::record_from_response("Bjork", 200, body, 1, itunes::match_mode::exact);
    REQUIRE(none.ok);
    CHECK(none.results.empty());
    CHECK(none.result_count == 4);
    for (const std::string &suggestion : none.suggestions) {
      CAPTURE(suggestion);
      CHECK(text::is_valid_utf8(suggestion));
    }
  }
}

// RapidJSON 1.1.0's parser stack writes through Realloc's result unchecked; ours must turn an allocation that
// fails into std::bad_alloc. The parse runs in a child whose address space is capped just above what it
// holds, with nesting deep enough to need far more. ASan reserves terabytes of address space, so a sanitized
// build (ARTISTFETCH_SANITIZED) cannot run it.
TEST_SUITE("results") {
  TEST_CASE("a parse that runs out of memory throws std::bad_alloc, it does not crash") {
    if (std::getenv("ARTISTFETCH_SANITIZED") != nullptr) return;
    // 20,000,000 levels: the stack of nesting levels alone needs 80 MB. The trailing 0x1F keeps the body off
    // the SSE2 path, which would first copy it, and fail there.
    const std::string deep =
        "{\"results\":" + std::string(20000000, '[') + std::string(20000000, ']') + "}\x1f";
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      long pages = 0;
      std::ifstream statm("/proc/self/statm");
      statm >> pages;
      const rlim_t held = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE));
      const struct rlimit cap { held + (16 << 20), held + (16 << 20) };
      if (setrlimit(RLIMIT_AS, &cap) != 0) _exit(3);
      try {
        itunes::parse_results(deep);
      } catch (const std::bad_alloc &) {
        _exit(0);
      }
      _exit(2);  // parsed with 16 MB to spare: the test is void
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK_FALSE(WIFSIGNALED(status));
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}

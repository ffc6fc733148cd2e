// libFuzzer target: parse_results, with and without the filter the runners pass it, on arbitrary bytes.
// Besides the sanitizers, it checks that every album's json is a compact object that parses back to the same
// fields, that parse_results agrees with RapidJSON's own DOM about which bodies are acceptable (once lone
// UTF-16 surrogates are replaced, as parse_results does), that every decoded field is UTF-8, and that a
// filtered parse keeps exactly the albums the unfiltered one would, field for field.
#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "../support/json_text.hpp"
#include "itunes/results.hpp"
#include "text/utf8.hpp"

namespace {

using test_support::has_space_outside_strings;

void require(bool condition, const char *what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz_results: invariant broken: %s\n", what);
    std::abort();
  }
}

constexpr unsigned dom_flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
                               rapidjson::kParseNumbersAsStringsFlag;

// Numbers-as-strings would make a number and a string look alike in the DOM; a leading 0xFF, a byte that
// valid UTF-8 never has, marks the numbers. Everything else goes to the document unchanged.
struct marking_handler {
  rapidjson::Document &doc;
  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Int(int i) { return doc.Int(i); }
  bool Uint(unsigned u) { return doc.Uint(u); }
  bool Int64(int64_t i) { return doc.Int64(i); }
  bool Uint64(uint64_t u) { return doc.Uint64(u); }
  bool Double(double d) { return doc.Double(d); }
  bool RawNumber(const char *text, rapidjson::SizeType length, bool) {
    const std::string marked = "\xff" + std::string(text, length);
    return doc.String(marked.data(), length + 1, true);
  }
  bool String(const char *text, rapidjson::SizeType length, bool copy) {
    return doc.String(text, length, copy);
  }
  bool StartObject() { return doc.StartObject(); }
  bool Key(const char *text, rapidjson::SizeType length, bool copy) { return doc.Key(text, length, copy); }
  bool EndObject(rapidjson::SizeType count) { return doc.EndObject(count); }
  bool StartArray() { return doc.StartArray(); }
  bool EndArray(rapidjson::SizeType count) { return doc.EndArray(count); }
};

// The rule for lone UTF-16 surrogates, stated apart from the parser's own code, as a walk through the
// strings: a \uD800 to \uDBFF escape not followed at once by a \uDC00 to \uDFFF one, and a \uDC00 to \uDFFF
// escape not preceded by such a high one, become \ufffd. RapidJSON alone rejects the first and decodes the
// second into bytes that are not UTF-8, so the DOM reads the text this gives.
std::string without_lone_surrogates(std::string_view text) {
  std::string out(text);
  constexpr std::size_t none = std::string::npos;
  std::size_t unpaired_high = none;  // where the digits of a high surrogate that wants a low one begin
  const auto replace = [&out](std::size_t digits) { out.replace(digits, 4, "fffd"); };
  const auto settle = [&] {
    if (unpaired_high != none) replace(unpaired_high);
    unpaired_high = none;
  };
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      in_string = c == '"';
      continue;
    }
    unsigned unit = 0;
    const bool hex_escape =
        c == '\\' && i + 5 < text.size() && text[i + 1] == 'u' &&
        std::from_chars(text.data() + i + 2, text.data() + i + 6, unit, 16).ptr == text.data() + i + 6;
    if (!hex_escape) {
      settle();
      if (c == '"') in_string = false;
      if (c == '\\') ++i;  // the escaped character
      continue;
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      if (unpaired_high == none) replace(i + 2);
      unpaired_high = none;
    } else {
      settle();
      if (unit >= 0xD800 && unit <= 0xDBFF) unpaired_high = i + 2;
    }
    i += 5;
  }
  settle();
  return out;
}

// Parses `text` into `doc` the way parse_results reads it: the same flags over a plain MemoryStream (so, like
// production, no BOM skipping). Returns false on a parse error.
bool parse_dom(std::string_view text, rapidjson::Document &doc) {
  bool ok = false;
  auto generate = [text, &ok](rapidjson::Document &target) {
    rapidjson::MemoryStream stream(text.data(), text.size());
    marking_handler handler{target};
    rapidjson::Reader reader;
    ok = !reader.Parse<dom_flags>(stream, handler).IsError();
    return ok;
  };
  doc.Populate(generate);
  return ok;
}

bool is_number(const rapidjson::Value *value) {
  return value != nullptr && value->IsString() && value->GetStringLength() > 0 &&
         value->GetString()[0] == '\xff';
}

// The last member named `key`, as the parser's duplicate rule says; null when absent or not an object.
const rapidjson::Value *last_member(const rapidjson::Value &object, std::string_view key) {
  if (!object.IsObject()) return nullptr;
  const rapidjson::Value *found = nullptr;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) found = &it->value;
  }
  return found;
}

// A string member's text; empty for anything else, numbers included.
std::string_view string_of(const rapidjson::Value *value) {
  if (value == nullptr || !value->IsString() || is_number(value)) return {};
  return {value->GetString(), value->GetStringLength()};
}

void check_album(const itunes::album &album) {
  require(album.json.size() >= 2 && album.json.front() == '{' && album.json.back() == '}', "json is braced");
  require(without_lone_surrogates(album.json) == album.json, "json has no lone surrogate");
  require((!album.artist_name || text::is_valid_utf8(*album.artist_name)) &&
              text::is_valid_utf8(album.collection_name) && text::is_valid_utf8(album.release_date) &&
              text::is_valid_utf8(album.primary_genre),
          "every decoded field is UTF-8");
  require(!has_space_outside_strings(album.json), "json has no whitespace between tokens");

  rapidjson::Document doc;
  require(parse_dom(album.json, doc) && doc.IsObject(), "json re-parses as an object");

  const rapidjson::Value *artist = last_member(doc, "artistName");
  if (artist != nullptr && artist->IsString() && !is_number(artist)) {
    require(album.artist_name.has_value() && *album.artist_name == string_of(artist),
            "artist_name is artistName");
  } else {
    require(!album.artist_name.has_value(), "no artist_name without a string artistName");
  }
  require(album.collection_name == string_of(last_member(doc, "collectionName")), "collection_name");
  require(album.release_date == string_of(last_member(doc, "releaseDate")), "release_date");
  require(album.primary_genre == string_of(last_member(doc, "primaryGenreName")), "primary_genre");
  if (album.track_count) {
    const rapidjson::Value *count = last_member(doc, "trackCount");
    // Numbers-as-strings: the DOM holds the number's text, which must read back as the same integer.
    require(is_number(count), "track_count comes from a numeric trackCount");
    const std::string_view text(count->GetString() + 1, count->GetStringLength() - 1);
    long long value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    require(error == std::errc() && end == text.data() + text.size() && value == *album.track_count,
            "track_count is trackCount's integer");
  }

  // The compact form is a fixed point: wrapped again, it gives the same album.
  const itunes::parse_result again = itunes::parse_results("{\"results\":[" + album.json + "]}");
  require(again.ok && again.albums.size() == 1, "json wraps and parses again");
  const itunes::album &twin = again.albums[0];
  require(twin.json == album.json && twin.artist_name == album.artist_name &&
              twin.collection_name == album.collection_name && twin.release_date == album.release_date &&
              twin.primary_genre == album.primary_genre && twin.track_count == album.track_count,
          "a wrapped album parses to itself");
}

// parse_results must accept exactly the documents that are objects whose last "results" is an array, and
// report one album per object element of it.
void check_against_dom(std::string_view body, const itunes::parse_result &parsed) {
  if (std::memchr(body.data(), '\0', body.size()) != nullptr) return;  // the DOM would stop at the NUL
  rapidjson::Document doc;
  if (!parse_dom(without_lone_surrogates(body), doc)) {
    require(!parsed.ok, "the DOM rejects what parse_results accepted");
    return;
  }
  const rapidjson::Value *results = last_member(doc, "results");
  const bool acceptable = results != nullptr && results->IsArray();
  require(parsed.ok == acceptable, "parse_results and the DOM agree on acceptance");
  if (!acceptable) return;
  std::size_t objects = 0;
  for (const auto &element : results->GetArray()) objects += element.IsObject() ? 1 : 0;
  require(parsed.albums.size() == objects, "one album per object element");
}

// What record_from_response does: parse with a filter on `name`. It must keep exactly the albums whose
// artistName is a string equal to `name`, each equal to the unfiltered parse's and with that artistName in its
// json; a refused one keeps only its artistName, so its json is empty (which is how a kept one is told).
void check_filtered_parse(std::string_view body, const itunes::parse_result &unfiltered,
                          const std::string &name) {
  const itunes::parse_result filtered = itunes::parse_results(
      body, [&name](const std::string *artist_name) { return artist_name && *artist_name == name; });
  require(filtered.ok && filtered.albums.size() == unfiltered.albums.size(),
          "a filtered parse accepts the body and sees every album");
  for (std::size_t i = 0; i < filtered.albums.size(); ++i) {
    const itunes::album &seen = filtered.albums[i], &full = unfiltered.albums[i];
    require(seen.artist_name == full.artist_name, "a filtered parse keeps every album's artistName");
    if (full.artist_name != name) {
      require(seen.json.empty() && seen.collection_name.empty() && seen.release_date.empty() &&
                  seen.primary_genre.empty() && !seen.track_count,
              "a refused album keeps only its artistName");
      continue;
    }
    require(!seen.json.empty() && seen.json == full.json && seen.collection_name == full.collection_name &&
                seen.release_date == full.release_date && seen.primary_genre == full.primary_genre &&
                seen.track_count == full.track_count,
            "a kept album is the unfiltered parse's album");
    rapidjson::Document doc;
    require(parse_dom(seen.json, doc), "a kept album's json parses");
    const rapidjson::Value *artist = last_member(doc, "artistName");
    require(artist != nullptr && artist->IsString() && !is_number(artist) && string_of(artist) == name,
            "a kept album's json has a string artistName equal to the name");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char *>(data), size);
  itunes::parse_result parsed = itunes::parse_results(body);
  if (!parsed.ok) {
    require(!parsed.error.empty() && parsed.albums.empty(), "an error has a reason and no albums");
  } else {
    require(parsed.error.empty(), "success has no error");
    for (const itunes::album &album : parsed.albums) check_album(album);
  }
  check_against_dom(body, parsed);
  if (!parsed.ok || parsed.albums.empty()) return 0;

  // Filter on a name that occurs (the first album's) and on one that may not (the last album's collection).
  const std::string names[] = {parsed.albums.front().artist_name.value_or(""),
                               parsed.albums.back().collection_name};
  for (const std::string &name : names) check_filtered_parse(body, parsed, name);
  return 0;
}

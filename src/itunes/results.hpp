// Parsing and filtering of iTunes Search API responses. No I/O; safe on untrusted bytes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace itunes {

// One element of "results", kept whole: `json` is the element exactly as the server sent it, with only the
// whitespace between tokens removed (so it fits on one ndjson line). The other fields are copies of the few
// top-level members the table view shows; each is empty (or nullopt) when absent or of another type.
struct album {
  std::string json;
  std::optional<std::string> artist_name;  // only when "artistName" is a JSON string
  std::string collection_name;
  std::string release_date;
  std::string primary_genre;
  std::optional<long long> track_count;
};

struct parse_result {
  bool ok = false;
  std::string error;          // when !ok: what is wrong with the body, in a short phrase
  std::vector<album> albums;  // when ok: every element of "results" that is an object, in order
};

// Which albums a caller will keep, by their artistName (nullptr when it is absent or not a string).
using album_filter = std::function<bool(const std::string *artist_name)>;

// Parses a response body. Rejects an empty body, a NUL byte, invalid UTF-8, invalid JSON or trailing garbage,
// a top level that is not an object and a missing or non-array "results". Elements that are not objects are
// skipped. Never reads past `body`, never recurses per nesting level. With `keep`, an album it refuses keeps
// only its artist_name, and so an empty json (a kept album's json is never empty): copying out the text of
// albums that will be dropped is most of a parse's memory work. Throws std::bad_alloc when the parse does not
// fit in memory (the parser's own stack included).
parse_result parse_results(std::string_view body, const album_filter &keep = nullptr);

}  // namespace itunes

// Query URLs for the iTunes Search API. No I/O.
#pragma once

#include <string>
#include <string_view>

namespace itunes {

// The search parameters besides the term. Defaults follow the classic tutorial.
struct query_params {
  std::string entity = "album";
  int limit = 5;                // 1 to 200
  std::string sort = "recent";  // empty: not sent
  std::string country;          // empty: not sent (the API's default, US)
};

// Percent-encodes `text` byte for byte as Apple asks: ASCII letters, digits and `. - _ *` stay, every other
// byte (space and UTF-8 included) becomes %XX with uppercase hex.
std::string percent_encode(std::string_view text);

// Decodes %XX sequences and '+' (as space); the inverse of percent_encode for the round-trip tests and
// fuzzing. Returns false on a malformed escape.
bool percent_decode(std::string_view text, std::string &out);

// The full request URL: base_url, then '?' (or '&' when base_url already has a query), then
// term, entity, limit, sort and country, in that order.
std::string build_query_url(std::string_view base_url, std::string_view term, const query_params &params);

}  // namespace itunes

// libFuzzer target: percent_encode / percent_decode and build_query_url on arbitrary bytes. The encoding must
// use only Apple's unreserved characters and uppercase %XX, decode back to the input, and appear whole in the
// URL.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "itunes/query.hpp"

namespace {

void require(bool condition, const char *what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz_query: invariant broken: %s\n", what);
    std::abort();
  }
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == '*';
}

bool is_upper_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

// Checks the encoding of `text` and returns it.
std::string checked_encoding(std::string_view text) {
  const std::string encoded = itunes::percent_encode(text);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < encoded.size(); ++bytes) {
    if (encoded[i] == '%') {
      require(i + 2 < encoded.size() && is_upper_hex(encoded[i + 1]) && is_upper_hex(encoded[i + 2]),
              "every % starts an uppercase %XX");
      i += 3;
    } else {
      require(is_unreserved(encoded[i]), "only unreserved characters stay unencoded");
      ++i;
    }
  }
  require(bytes == text.size(), "one unit per input byte");

  std::string decoded;
  require(itunes::percent_decode(encoded, decoded), "an encoding decodes");
  require(decoded == text, "decoding undoes encoding");
  return encoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char *>(data), size);
  checked_encoding(input);

  // Arbitrary text given to the decoder: it fails cleanly or gives bytes that survive a round trip.
  std::string decoded;
  if (itunes::percent_decode(input, decoded)) {
    require(decoded.size() <= input.size(), "decoding never grows");
    checked_encoding(decoded);
  }

  // The first byte, when there is one, picks the URL's shape; the rest is the term.
  const unsigned shape = size > 0 ? data[0] : 0;
  const std::string_view term = size > 0 ? input.substr(1) : input;
  itunes::query_params params;
  if (shape & 1) params.sort.clear();
  if (shape & 2) params.country = std::string(term.substr(0, 2));
  if (shape & 4) params.entity = std::string(term.substr(term.size() / 2));
  params.limit = static_cast<int>(shape) - 100;
  const std::string_view base =
      (shape & 8) ? "http://127.0.0.1:1/search?media=music" : "https://itunes.apple.com/search";

  const std::string url = itunes::build_query_url(base, term, params);
  const std::string prefix = std::string(base) + ((shape & 8) ? "&" : "?") +
                             "term=" + itunes::percent_encode(term) +
                             "&entity=" + checked_encoding(params.entity) + "&limit=";
  require(url.compare(0, prefix.size(), prefix) == 0, "the URL starts with base, separator, term and entity");
  const std::string tail = url.substr(prefix.size());
  require(tail.rfind(std::to_string(params.limit), 0) == 0, "the limit follows the entity");
  require((tail.find("&sort=") != std::string::npos) == !params.sort.empty(), "sort only when set");
  require((tail.find("&country=") != std::string::npos) == !params.country.empty(), "country only when set");
  if (!params.country.empty()) {
    const std::string country = "&country=" + checked_encoding(params.country);
    require(tail.size() >= country.size() &&
                tail.compare(tail.size() - country.size(), country.size(), country) == 0,
            "country comes last");
  }
  for (char c : url.substr(base.size() + 1)) {
    require(is_unreserved(c) || c == '%' || c == '=' || c == '&',
            "the query has only encoded text, '=' and '&'");
  }
  return 0;
}

// Tests of src/itunes/query: percent-encoding and query URLs. No I/O.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "itunes/aggregator.hpp"
#include "itunes/query.hpp"
#include "itunes/results.hpp"

using namespace std::string_literals;

namespace {

std::string decoded(std::string_view text) {
  std::string out;
  REQUIRE(itunes::percent_decode(text, out));
  return out;
}

}  // namespace

TEST_SUITE("query") {
  TEST_CASE("letters, digits and . - _ * are kept as they are") {
    CHECK(itunes::percent_encode("AZaz09.-_*") == "AZaz09.-_*");
    CHECK(itunes::percent_encode("") == "");
  }

  TEST_CASE("a space and each reserved character become uppercase %XX") {
    CHECK(itunes::percent_encode(" ") == "%20");
    CHECK(itunes::percent_encode("&") == "%26");
    CHECK(itunes::percent_encode("=") == "%3D");
    CHECK(itunes::percent_encode("#") == "%23");
    CHECK(itunes::percent_encode("+") == "%2B");
    CHECK(itunes::percent_encode("%") == "%25");
    CHECK(itunes::percent_encode("/") == "%2F");
    CHECK(itunes::percent_encode("?") == "%3F");
    CHECK(itunes::percent_encode("\"") == "%22");
    CHECK(itunes::percent_encode("~'!") == "%7E%27%21");
    CHECK(itunes::percent_encode("Simon & Garfunkel") == "Simon%20%26%20Garfunkel");
    CHECK(itunes::percent_encode("AC/DC") == "AC%2FDC");
  }

  TEST_CASE("non-ASCII names are encoded byte by byte from UTF-8") {
    CHECK(itunes::percent_encode("Beyoncé") == "Beyonc%C3%A9");
    CHECK(itunes::percent_encode("Sigur Rós") == "Sigur%20R%C3%B3s");
    CHECK(itunes::percent_encode("坂本龍一") == "%E5%9D%82%E6%9C%AC%E9%BE%8D%E4%B8%80");
  }

  TEST_CASE("control bytes, NUL and invalid UTF-8 are encoded too") {
    CHECK(itunes::percent_encode("a\0b"s) == "a%00b");
    CHECK(itunes::percent_encode("\n\t\x7f\xff") == "%0A%09%7F%FF");
  }

  TEST_CASE("percent_decode undoes percent_encode for every name") {
    for (const std::string &text :
         {"Beyoncé"s, "Sigur Rós"s, "坂本龍一"s, "& = # + % / ? \""s, "a\0b\xff"s, ""s}) {
      CHECK(decoded(itunes::percent_encode(text)) == text);
    }
  }

  TEST_CASE("percent_decode accepts lowercase hex and '+' as a space") {
    CHECK(decoded("Beyonc%c3%a9") == "Beyoncé");
    CHECK(decoded("Sigur+R%C3%B3s") == "Sigur Rós");
  }

  TEST_CASE("percent_decode rejects a malformed escape") {
    std::string out;
    CHECK_FALSE(itunes::percent_decode("%", out));
    CHECK_FALSE(itunes::percent_decode("abc%4", out));
    CHECK_FALSE(itunes::percent_decode("%G0", out));
    CHECK_FALSE(itunes::percent_decode("%0g", out));
  }

  TEST_CASE("the URL has the parameters in order, sort included and country omitted by default") {
    itunes::query_params params;
    CHECK(itunes::build_query_url("https://itunes.apple.com/search", "Billie Eilish", params) ==
          "https://itunes.apple.com/search?term=Billie%20Eilish&entity=album&limit=5&sort=recent");
  }

  TEST_CASE("a base URL that already has a query gets '&' before the term") {
    itunes::query_params params;
    CHECK(itunes::build_query_url("http://127.0.0.1:8080/search?media=music", "Sigur Rós", params) ==
          "http://127.0.0.1:8080/search?media=music&term=Sigur%20R%C3%B3s&entity=album&limit=5&sort=recent");
  }

  TEST_CASE("country is sent when given and sort is omitted when empty") {
    itunes::query_params params;
    params.entity = "musicArtist";
    params.limit = 200;
    params.sort.clear();
    params.country = "JP";
    CHECK(itunes::build_query_url("https://itunes.apple.com/search", "坂本龍一", params) ==
          "https://itunes.apple.com/"
          "search?term=%E5%9D%82%E6%9C%AC%E9%BE%8D%E4%B8%80&entity=musicArtist&limit=200"
          "&country=JP");
  }

  TEST_CASE("entity, sort and country are encoded like the term") {
    itunes::query_params params;
    params.entity = "a&b";
    params.limit = 1;
    params.sort = "x y";
    params.country = "u=s";
    CHECK(itunes::build_query_url("https://h/s", "a+b", params) ==
          "https://h/s?term=a%2Bb&entity=a%26b&limit=1&sort=x%20y&country=u%3Ds");
  }
}


// Tests of src/itunes/aggregator: one record per artist, in input order. No I/O.
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
#include "support/run_output.hpp"

using namespace std::string_literals;

using test_support::read_fixture;

TEST_SUITE("aggregator") {
  TEST_CASE("the report follows the input order whatever the completion order") {
    const std::string sample = read_fixture("album-sample.json");
    itunes::aggregator agg({"Billie Eilish", "Nobody", "Billie Eilish & Khalid"});
    CHECK(agg.size() == 3);
    CHECK(agg.completed() == 0);
    agg.complete_with_response(2, 200, sample, 1);
    CHECK(agg.is_complete(2));
    CHECK_FALSE(agg.is_complete(0));
    agg.complete_with_response(1, 200, R"({"resultCount":0,"results":[]})", 2);
    agg.complete_with_response(0, 200, sample, 3);
    CHECK(agg.finished());

    const std::vector<itunes::artist_record> report = agg.take_report().to_vector();
    REQUIRE(report.size() == 3);
    CHECK(report[0].artist == "Billie Eilish");
    CHECK(report[0].ok);
    CHECK(report[0].results.size() == 3);
    CHECK(report[0].attempts == 3);
    CHECK(report[0].http_status == 200);
    CHECK(report[1].artist == "Nobody");
    CHECK(report[1].ok);
    CHECK(report[1].results.empty());
    CHECK(report[1].attempts == 2);
    CHECK(report[2].artist == "Billie Eilish & Khalid");
    CHECK(report[2].ok);
    REQUIRE(report[2].results.size() == 1);
    CHECK(report[2].results[0].collection_name == "lovely - Single");
  }

  TEST_CASE("a status other than 200 is an error naming it, and 403 mentions throttling") {
    itunes::aggregator agg({"a", "b", "c", "d"});
    agg.complete_with_response(0, 403, "", 4);
    agg.complete_with_response(1, 404, R"({"results":[{"artistName":"b"}]})", 1);
    agg.complete_with_response(2, 503, "<html>busy</html>", 2);
    agg.complete_with_response(3, 204, "", 1);
    const std::vector<itunes::artist_record> report = agg.take_report().to_vector();
    REQUIRE(report.size() == 4);
    CHECK_FALSE(report[0].ok);
    CHECK(report[0].error == "HTTP 403, the API may be throttling");
    CHECK(report[0].http_status == 403);
    CHECK(report[0].attempts == 4);
    CHECK_FALSE(report[1].ok);
    CHECK(report[1].error == "HTTP 404");
    CHECK(report[1].results.empty());
    CHECK(report[1].http_status == 404);
    CHECK(report[2].error == "HTTP 503");
    CHECK(report[2].http_status == 503);
    CHECK(report[3].error == "HTTP 204");
  }

  TEST_CASE("a 200 body that does not parse is an error with the parser's reason") {
    itunes::aggregator agg({"a", "b"});
    agg.complete_with_response(0, 200, "<html>throttled</html>", 1);
    agg.complete_with_response(1, 200, "", 2);
    const std::vector<itunes::artist_record> report = agg.take_report().to_vector();
    CHECK_FALSE(report[0].ok);
    CHECK(report[0].error == "response is not valid JSON (Invalid value. at byte 0)");
    CHECK(report[0].http_status == 200);
    CHECK(report[1].error == "response is empty");
    CHECK(report[1].http_status == 200);
    CHECK(report[1].attempts == 2);
  }

  TEST_CASE("a transport error is recorded as given") {
    itunes::aggregator agg({"a"});
    agg.complete_with_error(0, "Timeout was reached", 0, 3);
    const std::vector<itunes::artist_record> report = agg.take_report().to_vector();
    CHECK_FALSE(report[0].ok);
    CHECK(report[0].error == "Timeout was reached");
    CHECK(report[0].http_status == 0);
    CHECK(report[0].attempts == 3);
  }

  TEST_CASE("a second completion of the same artist is ignored") {
    const std::string sample = read_fixture("album-sample.json");
    itunes::aggregator agg({"Billie Eilish", "b"});
    agg.complete_with_response(0, 200, sample, 1);
    agg.complete_with_response(0, 403, "", 2);
    agg.complete_with_error(0, "cancelled", 0, 3);
    agg.complete_with_error(1, "first", 0, 1);
    agg.complete_with_response(1, 200, sample, 2);
    CHECK(agg.completed() == 2);
    const std::vector<itunes::artist_record> report = agg.take_report().to_vector();
    CHECK(report[0].ok);
    CHECK(report[0].results.size() == 3);
    CHECK(report[0].attempts == 1);
    CHECK(report[0].error.empty());
    CHECK_FALSE(report[1].ok);
    CHECK(report[1].error == "first");
    CHECK(report[1].results.empty());
  }

  TEST_CASE("an artist never completed is reported as not fetched") {
    itunes::aggregator agg({"a", "b", "c"});
    agg.complete_with_error(1, "x", 500, 1);
    CHECK_FALSE(agg.finished());
    CHECK(agg.completed() == 1);
    const std::vector<itunes::artist_record> report = agg.take_report().to_vector();
    REQUIRE(report.size() == 3);
    for (std::size_t i : {0u, 2u}) {
      CHECK(report[i].artist == (i == 0 ? "a" : "c"));
      CHECK_FALSE(report[i].ok);
      CHECK(report[i].error == "not fetched");
      CHECK(report[i].http_status == 0);
      CHECK(report[i].attempts == 0);
    }
    CHECK(report[1].error == "x");
  }

  TEST_CASE("an empty artist list gives an empty, finished report") {
    itunes::aggregator agg({});
    CHECK(agg.finished());
    CHECK(agg.take_report().empty());
  }
}


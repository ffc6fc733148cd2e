// Tests of src/itunes/record_list: records kept small when they can be, and given back whole.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "itunes/record_list.hpp"

namespace {

itunes::artist_record ok_without_match(long status, int attempts, std::size_t count) {
  itunes::artist_record record;
  record.ok = true;
  record.http_status = status;
  record.attempts = attempts;
  record.result_count = count;
  record.page_full = count == 50;
  record.match = itunes::match_mode::nocase;
  return record;
}

bool same(const itunes::artist_record &a, const itunes::artist_record &b) {
  if (a.results.size() != b.results.size()) return false;
  for (std::size_t i = 0; i < a.results.size(); ++i)
    if (a.results[i].json != b.results[i].json) return false;
  return a.artist == b.artist && a.suggestions == b.suggestions && a.suggestion_notes == b.suggestion_notes &&
         a.error == b.error && a.result_count == b.result_count && a.http_status == b.http_status &&
         a.attempts == b.attempts && a.match == b.match && a.ok == b.ok && a.page_full == b.page_full;
}

}  // namespace

TEST_SUITE("record list") {
  TEST_CASE("every kind of record comes back as it was set, named from the list") {
    itunes::record_list list(text::name_list{"a", "b", "c", "d", "e", "f", "g"});
    std::vector<itunes::artist_record> want(7);
    want[0] = ok_without_match(200, 1, 50);
    want[1] = ok_without_match(200, 3, 0);
    want[2].error = "HTTP 503";
    want[2].http_status = 503;
    want[2].attempts = 4;
    want[3] = ok_without_match(200, 1, 2);
    want[3].results.push_back({R"({"artistName":"d"})", std::string("d"), "", "", "", 12});
    want[4] = ok_without_match(200, 1, 1);
    want[4].suggestions = {"E"};
    want[4].suggestion_notes = {"differs in case"};
    want[5].error = "not fetched";
    // Values beyond the small fields' range are kept whole rather than cut.
    want[6] = ok_without_match(200, 70000, 5000000000ULL);
    want[6].http_status = 70000;
    for (std::size_t i = 0; i < want.size(); ++i) {
      want[i].artist = std::string(1, static_cast<char>('a' + i));
      itunes::artist_record stored = want[i];
      stored.artist = "ignored";
      list.set(i, stored);
    }
    REQUIRE(list.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      CAPTURE(i);
      CHECK(same(list[i], want[i]));
      CHECK(list.ok(i) == want[i].ok);
      CHECK(list.artist(i) == want[i].artist);
      bool visited = false;
      list.visit(i, [&](const itunes::artist_record &record) { visited = same(record, want[i]); });
      CHECK(visited);
    }
    std::size_t index = 0;
    for (const itunes::artist_record &record : list) CHECK(same(record, want[index++]));
    CHECK(index == want.size());
  }

  TEST_CASE("an unset record is an empty one, and a record can be replaced") {
    itunes::record_list list(text::name_list{"x"});
    CHECK_FALSE(list.ok(0));
    CHECK(list[0].artist == "x");
    CHECK(list[0].error.empty());
    itunes::artist_record record;
    record.error = "first";
    list.set(0, record);
    list.set(0, ok_without_match(200, 1, 5));
    CHECK(list.ok(0));
    CHECK(list[0].error.empty());
    CHECK(list[0].result_count == 5);
  }

  TEST_CASE("hundreds of distinct errors are all kept, past the shared ones") {
    itunes::record_list list(std::vector<itunes::artist_record>(600));
    for (std::size_t i = 0; i < list.size(); ++i) {
      itunes::artist_record record;
      record.error = "error " + std::to_string(i % 300);  // 300 distinct texts, each twice
      record.attempts = static_cast<int>(i);
      list.set(i, record);
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      CAPTURE(i);
      CHECK(list[i].error == "error " + std::to_string(i % 300));
      CHECK(list[i].attempts == static_cast<int>(i));
    }
  }

  TEST_CASE("a list made from records keeps their names") {
    std::vector<itunes::artist_record> records(2);
    records[0].artist = "One";
    records[1].artist = "Two";
    records[1].ok = true;
    const itunes::record_list list = records;
    CHECK(list.artist(0) == "One");
    CHECK(list[1].artist == "Two");
    CHECK(list.ok(1));
    CHECK(list.to_vector().size() == 2);
  }
}

// Tests of src/report/compare: --compare's check that both runs reported the same, and its timing table.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "report/compare.hpp"

TEST_SUITE("compare") {
  itunes::artist_record record(const std::string &artist, bool ok, int attempts) {
    itunes::artist_record made;
    made.artist = artist;
    made.ok = ok;
    made.attempts = attempts;
    if (!ok) made.error = "HTTP 500";
    return made;
  }

  TEST_CASE("reports that differ only in attempts are the same; others are named") {
    std::vector<itunes::artist_record> sync_records = {record("A", true, 1), record("B", true, 2),
                                                       record("C", true, 1)};
    std::vector<itunes::artist_record> async_records = {record("A", true, 1), record("B", true, 1),
                                                        record("C", false, 1)};
    CHECK(report::differing_artists(sync_records, async_records) == std::vector<std::string>{"C"});
    CHECK(report::describe_differences({"C", "D"}) == "the sync and async reports differ for: C, D");
  }

  TEST_CASE("the timing table shows both modes and the speedup") {
    engine::run_report sync_report, async_report;
    sync_report.wall_s = 0.9;
    sync_report.requests = 3;
    async_report.wall_s = 0.3;
    async_report.requests = 3;
    const std::string table = report::render_timing_table(sync_report, async_report);
    CHECK(table.find("mode") == 0);
    CHECK(table.find("sync ") != std::string::npos);
    CHECK(table.find("3.00x") != std::string::npos);
    CHECK(table.find("1.00x") != std::string::npos);
  }
}

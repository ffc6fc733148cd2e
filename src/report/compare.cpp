#include "report/compare.hpp"

#include <cstdio>

#include "report/output.hpp"

namespace report {
namespace {

std::string comparable_json(itunes::artist_record record) {
  record.attempts = 0;
  return record_json(record);
}

}  // namespace

std::vector<std::string> differing_artists(const itunes::record_list &sync_records,
                                           const itunes::record_list &async_records) {
  std::vector<std::string> differing;
  for (std::size_t i = 0; i < sync_records.size() || i < async_records.size(); ++i) {
    if (i >= sync_records.size() || i >= async_records.size()) {
      differing.push_back(i < sync_records.size() ? sync_records[i].artist : async_records[i].artist);
    } else if (comparable_json(sync_records[i]) != comparable_json(async_records[i])) {
      differing.push_back(sync_records[i].artist);
    }
  }
  return differing;
}

std::string describe_differences(const std::vector<std::string> &artists) {
  std::string text = "the sync and async reports differ for: ";
  for (std::size_t i = 0; i < artists.size(); ++i) text += (i == 0 ? "" : ", ") + artists[i];
  return text;
}

std::string render_timing_table(const engine::run_report &sync_report,
                                const engine::run_report &async_report) {
  std::string table = "mode   requests  wall time  speedup\n";
  char row[128];
  for (const auto *report : {&sync_report, &async_report}) {
    const double speedup = report->wall_s > 0 ? sync_report.wall_s / report->wall_s : 0;
    std::snprintf(row, sizeof row, "%-5s  %8zu  %7.3f s  %6.2fx\n", report == &sync_report ? "sync" : "async",
                  report->requests, report->wall_s, speedup);
    table += row;
  }
  return table;
}

}  // namespace report

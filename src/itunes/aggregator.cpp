#include "itunes/aggregator.hpp"

#include <algorithm>
#include <utility>

namespace itunes {

aggregator::aggregator(std::vector<std::string> artists, match_mode mode, std::size_t page_size)
    : size_(artists.size()), mode_(mode), page_size_(page_size), records_(artists.size()), done_(artists.size(), false) {
  for (std::size_t i = 0; i < size_; ++i) records_[i].artist = std::move(artists[i]);
}

artist_record record_from_response(const std::string &artist, long http_status, std::string_view body,
                                   int attempts, match_mode mode) {
  artist_record record;
  record.http_status = http_status;
  record.attempts = attempts;
  record.match = mode;
  if (http_status == 200) {
    // Only matching albums are kept whole; the others lend their artistName to the suggestions. The artist's
    // side is normalized once, not once per album.
    const std::string wanted = match_key(artist, mode);
    parse_result parsed = parse_results(body, [&wanted, mode](const std::string *artist_name) {
      return artist_name != nullptr && matches_key(*artist_name, wanted, mode);
    });
    if (parsed.ok) {
      record.ok = true;
      record.result_count = parsed.albums.size();
      // The filter has judged every album once: the refused ones came back without their json.
      std::vector<album> &albums = parsed.albums;
      const auto refused = [](const album &a) { return a.json.empty(); };
      if (std::all_of(albums.begin(), albums.end(), refused)) {
        for (suggestion &each : suggest(albums, artist)) {
          record.suggestions.push_back(std::move(each.name));
          record.suggestion_notes.push_back(std::move(each.note));
        }
      }
      albums.erase(std::remove_if(albums.begin(), albums.end(), refused), albums.end());
      record.results = std::move(albums);
      record.results.shrink_to_fit();  // the parsed albums' slots would otherwise stay with every record
    } else {
      record.error = std::move(parsed.error);
    }
  } else {
    record.error = "HTTP " + std::to_string(http_status);
    // This API answers 403 when it throttles a client, never for "no results".
    if (http_status == 403) record.error += ", the API may be throttling";
  }
  return record;
}

bool aggregator::complete_with_response(std::size_t index, long http_status, std::string_view body,
                                        int attempts) {
  // An index out of range is ignored like a duplicate: a late callback must never corrupt the report.
  if (index >= records_.size() || done_[index]) return false;  // late, duplicate or after take_report
  return complete(index, record_from_response(records_[index].artist, http_status, body, attempts, mode_));
}

bool aggregator::complete(std::size_t index, artist_record record) {
  if (index >= records_.size() || done_[index]) return false;
  record.artist = std::move(records_[index].artist);
  record.page_full = record.ok && page_size_ != 0 && record.result_count >= page_size_;
  records_[index] = std::move(record);
  mark_done(index);
  return true;
}

bool aggregator::complete_with_error(std::size_t index, std::string error, long http_status, int attempts) {
  if (index >= records_.size() || done_[index]) return false;  // late, duplicate or after take_report
  artist_record &record = records_[index];
  record.error = std::move(error);
  record.http_status = http_status;
  record.attempts = attempts;
  mark_done(index);
  return true;
}

const std::string &aggregator::artist(std::size_t index) const {
  static const std::string none;
  return index < records_.size() ? records_[index].artist : none;
}

void aggregator::mark_done(std::size_t index) {
  done_[index] = true;
  ++completed_;
}

std::vector<artist_record> aggregator::take_report() {
  std::vector<artist_record> report = std::move(records_);
  for (std::size_t i = 0; i < report.size(); ++i) {
    if (!done_[i]) report[i].error = "not fetched";
  }
  // No empty replacement: a second array of records at the end of a long run would be its peak memory.
  // Completions after this are ignored, as the index checks below find no record.
  return report;
}

}  // namespace itunes

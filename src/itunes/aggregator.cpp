#include "itunes/aggregator.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace itunes {

aggregator::aggregator(text::name_list artists, match_mode mode, std::size_t page_size)
    : size_(artists.size()), mode_(mode), page_size_(page_size), records_(std::move(artists)), done_(size_, false) {}

artist_record record_from_response(std::string_view artist, long http_status, std::string_view body,
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
  if (index >= done_.size() || done_[index]) return false;  // late, duplicate or after take_report
  return complete(index, record_from_response(records_.artist(index), http_status, body, attempts, mode_));
}

bool aggregator::complete(std::size_t index, artist_record record) {
  if (index >= done_.size() || done_[index]) return false;
  record.page_full = record.ok && page_size_ != 0 && record.result_count >= page_size_;
  records_.set(index, std::move(record));
  mark_done(index);
  return true;
}

bool aggregator::complete_with_error(std::size_t index, std::string error, long http_status, int attempts) {
  if (index >= done_.size() || done_[index]) return false;  // late, duplicate or after take_report
  artist_record record;
  record.error = std::move(error);
  record.http_status = http_status;
  record.attempts = attempts;
  record.match = mode_;
  records_.set(index, std::move(record));
  mark_done(index);
  return true;
}

std::string_view aggregator::artist(std::size_t index) const {
  return index < records_.size() ? records_.artist(index) : std::string_view();
}

void aggregator::mark_done(std::size_t index) {
  done_[index] = true;
  ++completed_;
}

record_list aggregator::take_report() {
  for (std::size_t i = 0; i < done_.size(); ++i) {
    if (done_[i]) continue;
    artist_record record;  // nothing to keep from a record never completed
    record.error = "not fetched";  // short enough to need no allocation
    records_.set(i, std::move(record));
  }
  done_.clear();  // every index is now out of range: later completions are ignored
  return std::move(records_);
}

}  // namespace itunes

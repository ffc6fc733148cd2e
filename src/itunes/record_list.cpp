#include "itunes/record_list.hpp"

#include <limits>
#include <new>
#include <utility>

namespace itunes {

record_list::record_list(text::name_list artists) : artists_(std::move(artists)), entries_(artists_.size()) {}

record_list::record_list(const std::vector<artist_record> &records) : entries_(records.size()) {
  for (const artist_record &record : records) artists_.push_back(record.artist);
  for (std::size_t i = 0; i < records.size(); ++i) set(i, records[i]);
}

artist_record record_list::operator[](std::size_t index) const {
  const entry &at = entries_[index];
  if (at.whole) return *at.whole;
  artist_record record;
  record.artist = std::string(artists_[index]);
  if (at.error == out_of_memory) {
    record.error = "out of memory";
  } else if (at.error != 0) {
    record.error = errors_[at.error - 1];
  }
  record.result_count = at.result_count;
  record.http_status = at.http_status;
  record.attempts = at.attempts;
  record.match = at.match;
  record.ok = at.ok;
  record.page_full = at.page_full;
  return record;
}

std::uint8_t record_list::shared_error(std::string_view error) {
  for (std::size_t i = 0; i < errors_.size(); ++i)
    if (errors_[i] == error) return static_cast<std::uint8_t>(i + 1);
  if (errors_.size() + 1 >= out_of_memory) return 0;
  errors_.emplace_back(error);
  return static_cast<std::uint8_t>(errors_.size());
}

void record_list::set(std::size_t index, artist_record record) noexcept {
  entry &at = entries_[index];
  at = entry{};
  try {
    store(at, index, std::move(record));
  } catch (const std::bad_alloc &) {  // the record's own text found no room: what it says is lost
    at = entry{};
    at.error = out_of_memory;
    at.http_status = static_cast<std::uint16_t>(record.http_status);
    at.attempts = static_cast<std::uint16_t>(record.attempts);
  }
}

void record_list::store(entry &at, std::size_t index, artist_record record) {
  const bool small = record.results.empty() && record.suggestions.empty() && record.suggestion_notes.empty() &&
                     record.result_count <= std::numeric_limits<std::uint32_t>::max() &&
                     record.http_status >= 0 && record.http_status <= std::numeric_limits<std::uint16_t>::max() &&
                     record.attempts >= 0 && record.attempts <= std::numeric_limits<std::uint16_t>::max();
  const std::uint8_t error = small && !record.error.empty() ? shared_error(record.error) : 0;
  at.ok = record.ok;  // kept in the entry either way: ok() never looks further
  if (!small || (!record.error.empty() && error == 0)) {
    record.artist = std::string(artists_[index]);
    at.whole = std::make_unique<artist_record>(std::move(record));
    return;
  }
  at.error = error;
  at.result_count = static_cast<std::uint32_t>(record.result_count);
  at.http_status = static_cast<std::uint16_t>(record.http_status);
  at.attempts = static_cast<std::uint16_t>(record.attempts);
  at.match = record.match;
  at.page_full = record.page_full;
}

std::vector<artist_record> record_list::to_vector() const {
  std::vector<artist_record> records;
  records.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) records.push_back((*this)[i]);
  return records;
}

}  // namespace itunes

// The records of a run, one per artist, kept small: most of a long run's records are a few numbers (an ok
// answer with no match, or an error shared by many artists), and those cost 24 bytes each instead of an
// artist_record's 170. Records with results, suggestions or an unusual error are kept whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "itunes/matching.hpp"
#include "itunes/results.hpp"
#include "text/index_iterator.hpp"
#include "text/name_list.hpp"

namespace itunes {

// What the user gets for one artist.
struct artist_record {  // (`ok` sits by `attempts`: no padding, 8 bytes less per artist)
  std::string artist;
  std::vector<album> results;  // when ok: the matches (see match_mode), in the server's order
  // When ok, results is empty and the server did send results: their closest artistNames (suggest()).
  std::vector<std::string> suggestions;
  std::vector<std::string> suggestion_notes;  // one per suggestion: how it differs, describe_difference()
  std::string error;             // when !ok: what went wrong
  std::size_t result_count = 0;  // when ok: the results the server returned (the objects of "results")
  long http_status = 0;          // the last HTTP status received, 0 when no response arrived
  int attempts = 0;              // requests sent for this artist
  match_mode match = match_mode::exact;  // the mode the results were filtered with
  bool ok = false;
  // When ok: result_count reached the number of results asked for, so more may lie beyond this page.
  bool page_full = false;
};

class record_list {
 public:
  record_list() = default;
  // One empty record per artist (not ok, no error, 0 attempts), each named from `artists`.
  explicit record_list(text::name_list artists);
  // The records themselves, their names included (tests, and lists made elsewhere).
  record_list(const std::vector<artist_record> &records);  // NOLINT: implicit, as a vector converts
  record_list(std::initializer_list<artist_record> records) : record_list(std::vector<artist_record>(records)) {}

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::string_view artist(std::size_t index) const { return artists_[index]; }
  bool ok(std::size_t index) const { return entries_[index].ok; }

  // Record `index` whole, as a copy.
  artist_record operator[](std::size_t index) const;

  // Calls `use(const artist_record &)` with record `index` without copying a record kept whole.
  template <typename Use>
  void visit(std::size_t index, Use &&use) const {
    const entry &at = entries_[index];
    if (at.whole) {
      use(*at.whole);
    } else {
      use((*this)[index]);
    }
  }

  // Replaces record `index`; its `artist` is ignored (the name stays the list's). Never throws: when a record
  // that must be kept whole finds no memory, it becomes an error record saying "out of memory".
  void set(std::size_t index, artist_record record) noexcept;

  std::vector<artist_record> to_vector() const;

  using const_iterator = text::index_iterator<record_list, artist_record>;
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

 private:
  struct entry {
    std::unique_ptr<artist_record> whole;  // set when the fields below cannot say it all
    std::uint32_t result_count = 0;
    std::uint16_t http_status = 0;
    std::uint16_t attempts = 0;
    std::uint8_t error = 0;  // 0: none; out_of_memory; else errors_[error - 1], a text many records share
    match_mode match = match_mode::exact;
    bool ok = false;
    bool page_full = false;
  };
  static_assert(sizeof(match_mode) == 1, "match_mode is stored in one byte");

  text::name_list artists_;
  std::vector<entry> entries_;
  std::vector<std::string> errors_;  // at most 255 distinct error texts kept once

  static constexpr std::uint8_t out_of_memory = 255;  // the record could not be stored
  // The index of `error` in errors_ plus one, adding it when there is room; 0 when there is none.
  std::uint8_t shared_error(std::string_view error);
  void store(entry &at, std::size_t index, artist_record record);  // set()'s work; may throw std::bad_alloc
};

}  // namespace itunes

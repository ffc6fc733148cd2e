// Collects one outcome per artist as transfers finish and reports them in input order. No I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "itunes/matching.hpp"
#include "itunes/record_list.hpp"
#include "itunes/results.hpp"
#include "text/name_list.hpp"

namespace itunes {

// The record a response makes for `artist` (its `artist` field left empty): a status 200 body is parsed and
// filtered (with suggestions when nothing matched); any other status, or a body that does not parse, makes an
// error record. Pure, so any thread may call it.
artist_record record_from_response(std::string_view artist, long http_status, std::string_view body,
                                   int attempts, match_mode mode);

class aggregator {
 public:
  // `artists` must be distinct; index i of every call below refers to artists[i]. `mode` decides which
  // results match an artist; `page_size` is the number of results asked for per artist (--limit), 0 when
  // unknown, and sets each record's page_full.
  explicit aggregator(text::name_list artists, match_mode mode = match_mode::exact, std::size_t page_size = 0);

  // Artist `index`'s name (empty when out of range).
  std::string_view artist(std::size_t index) const;
  std::size_t size() const { return size_; }
  match_mode mode() const { return mode_; }

  // A response arrived: record_from_response() at once (the body is not kept). A second completion of one
  // index is ignored, by every complete_* call, which then returns false.
  bool complete_with_response(std::size_t index, long http_status, std::string_view body, int attempts);

  // A record made elsewhere, by record_from_response() on another thread; its `artist` is set here.
  bool complete(std::size_t index, artist_record record);

  // No usable response: a transport error, a cancellation. `http_status` is 0 when no response arrived.
  bool complete_with_error(std::size_t index, std::string error, long http_status, int attempts);

  bool is_complete(std::size_t index) const { return index < done_.size() && done_[index]; }

  // The record of a completed artist, as a copy.
  artist_record record(std::size_t index) const { return records_[index]; }

  std::size_t completed() const { return completed_; }
  bool finished() const { return completed_ == size_; }

  // The records in input order, moved out: call it once, at the end. An artist never completed gets an error
  // record saying so. Completions after it are ignored.
  record_list take_report();

 private:
  std::size_t size_;
  match_mode mode_;
  std::size_t page_size_;
  record_list records_;
  std::vector<bool> done_;  // emptied by take_report()
  std::size_t completed_ = 0;

  void mark_done(std::size_t index);
};

}  // namespace itunes

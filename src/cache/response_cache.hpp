// An on-disk cache of search responses, keyed by the full request URL. Apple asks clients to cache and
// throttles at about 20 calls a minute, so a repeated lookup within the time to live is answered from disk.
//
// One file per URL in the cache directory, named by the FNV-1a 64-bit hash of the URL in hex
// ("0123456789abcdef.entry"). A file holds a header and the body:
//   artistfetch-cache 1\n
//   URL\n
//   STORED_AT\n        (Unix time in seconds)
//   BODY_LENGTH\n      (decimal bytes)
//   BODY_HASH\n        (FNV-1a 64 of the body, 16 hex digits: a damaged body is not served)
//   BODY
// An entry is written to a temporary file in the same directory and renamed over the old one, so a reader
// sees either the whole old entry or the whole new one. A missing, short, long, garbled or expired entry, or
// one whose URL is not the one asked for (a hash collision), is a miss: the artist is fetched again and the
// entry overwritten.
//
// A shared directory is handled as ssh handles its files: a directory that another user can write (or that
// neither the user nor root owns) is not used at all, and an entry that is not a regular file owned by the
// user and writable by nobody else is a miss, whatever it holds. Entries are opened without blocking and
// without following links, so a FIFO or a device put there cannot hang the run.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/observer.hpp"

namespace cache {

class response_cache {
 public:
  // `ttl_s` 0: no entry is ever fresh, every lookup is a miss (entries are still stored). An entry whose
  // body is larger than `max_body` (--max-body) is a miss.
  response_cache(std::string directory, long long ttl_s, long long max_body = 1LL << 32);

  // Creates the directory, and its missing parents, with mode 0700 (as umask allows). Returns an empty
  // string on success, else a message naming the directory and the reason.
  std::string prepare() const;

  // Empty when the directory can be trusted, else why not ("is writable by other users"), naming it.
  std::string untrusted() const;

  // When a fresh entry for `url` exists at time `now`, copies its body into `body` and returns true. An
  // entry that is there but not trusted (see above) or too large is a miss, and `distrust` (when given) then
  // says why, naming the file.
  bool load(const std::string &url, std::string &body, std::time_t now,
            std::string *distrust = nullptr) const;

  // Stores `body` as the answer for `url` at time `now`, atomically. Returns an empty string on success,
  // else the reason (the cache is then simply not updated).
  std::string store(const std::string &url, std::string_view body, std::time_t now) const;

  // The file that holds the entry for `url`.
  std::string entry_path(const std::string &url) const;

  const std::string &directory() const { return directory_; }

 private:
  std::string directory_;
  long long ttl_s_;
  long long max_body_;
};

// FNV-1a, 64 bits, of `text`.
std::uint64_t fnv1a_64(std::string_view text);

// A run's answers from the cache, and its new answers into it: load() serves fresh entries, and every record
// that came out ok from a new response is stored (never one served from the cache, whose entry keeps its
// age). A failed write does not stop the run: problem() keeps the first one, for the caller to report. In an
// untrusted directory nothing is read or written, and problem() says why.
// Meant for the async runner only: --sync and --compare measure the network and must not be given a cache.
class cached_answers : public engine::run_observer, public engine::answer_store {
 public:
  // url_of(i) is artist i's request URL (engine::query_url()), for `count` artists. Made when needed: a URL
  // per artist kept for the whole run would outweigh the run's records.
  cached_answers(response_cache cache, std::function<std::string(std::size_t)> url_of, std::size_t count);
  // The URLs given, urls[i] for artist i.
  cached_answers(response_cache cache, std::vector<std::string> urls);

  bool load(std::size_t artist, std::string &body) override;
  void artist_finished(std::size_t artist, const itunes::artist_record &record,
                       std::string_view body) override;

  // Empty, or the first reason the cache was not used: an untrusted directory or entry, or an answer that
  // could not be stored.
  const std::string &problem() const { return first_problem_; }

 private:
  response_cache cache_;
  std::function<std::string(std::size_t)> url_of_;
  std::vector<bool> served_;  // one per artist  // answered from the cache in this run: never stored again
  std::string first_problem_;
  bool trusted_ = true;
};

}  // namespace cache

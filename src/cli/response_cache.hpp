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
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "cli/runners.hpp"

namespace cli {

class response_cache {
 public:
  // `ttl_s` 0: no entry is ever fresh, every lookup is a miss (entries are still stored).
  response_cache(std::string directory, long long ttl_s);

  // Creates the directory, and its missing parents, with mode 0700 (as umask allows). Returns an empty
  // string on success, else a message naming the directory and the reason.
  std::string prepare() const;

  // When a fresh entry for `url` exists at time `now`, copies its body into `body` and returns true.
  bool load(const std::string &url, std::string &body, std::time_t now) const;

  // Stores `body` as the answer for `url` at time `now`, atomically. Returns an empty string on success,
  // else the reason (the cache is then simply not updated).
  std::string store(const std::string &url, std::string_view body, std::time_t now) const;

  // The file that holds the entry for `url`.
  std::string entry_path(const std::string &url) const;

  const std::string &directory() const { return directory_; }

 private:
  std::string directory_;
  long long ttl_s_;
};

// FNV-1a, 64 bits, of `text`.
std::uint64_t fnv1a_64(std::string_view text);

// Plugs `cache` into `hooks` for a run whose requests are `urls` (urls[i] for artist i, as query_urls()
// builds them): hooks.stored_response serves fresh entries, hooks.artist_finished stores the body of every
// record that came out ok from a new response (never one served from the cache, whose entry keeps its age).
// Hooks already set are kept and called first; the new hooks own the cache and the URLs. A failed write warns
// once on stderr and the run goes on. Meant for the async runner only: --sync and --compare measure the
// network and must not be given a cache.
void attach_response_cache(run_hooks &hooks, response_cache cache, std::vector<std::string> urls);

// The cache of an async run as the options ask: the directory is opts.cache_dir, else `environment_dir`
// ($ARTISTFETCH_CACHE_DIR, may be null); neither set means no cache. Prepares the directory and attaches the
// cache to `hooks` for the run's URLs. Returns an empty string on success (cache or not), else the reason the
// directory cannot be used, for an exit with status 2.
std::string attach_configured_cache(run_hooks &hooks, const options &opts, const char *environment_dir);

}  // namespace cli

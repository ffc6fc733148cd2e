// The response cache: one small file per request URL, replaced atomically with rename(2).
#include "cache/response_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "engine/stop_signals.hpp"

namespace cache {
namespace {

constexpr std::string_view magic_line = "artistfetch-cache 1";
// Larger than any body --max-body accepts (its suffixes stop at G), so nothing legitimate is refused.
constexpr long long max_entry_bytes = 1LL << 32;

std::string hex64(std::uint64_t value) {
  static const char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = digits[value & 0xF];
  return out;
}

std::string quoted(const std::string &path) {
  return "'" + path + "'";
}

// Closes a file descriptor when it goes out of scope.
class file_descriptor {
 public:
  explicit file_descriptor(int fd) : fd_(fd) {}
  ~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  file_descriptor(const file_descriptor &) = delete;
  file_descriptor &operator=(const file_descriptor &) = delete;
  int get() const { return fd_; }
  // Closes now and reports the result (a write error can surface only here on some file systems).
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

bool read_all(int fd, std::string &out, std::size_t size) {
  out.resize(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, &out[done], size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // an error, or the file shrank under us
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Takes the text up to the next '\n' from `rest`; false when there is none.
bool take_line(std::string_view &rest, std::string_view &line) {
  const std::size_t end = rest.find('\n');
  if (end == std::string_view::npos) return false;
  line = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return true;
}

bool parse_count(std::string_view text, long long &value) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::uint64_t fnv1a_64(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

response_cache::response_cache(std::string directory, long long ttl_s, long long max_body)
    : directory_(std::move(directory)), ttl_s_(ttl_s), max_body_(std::min(max_body, max_entry_bytes)) {
  while (directory_.size() > 1 && directory_.back() == '/') directory_.pop_back();
}

std::string response_cache::prepare() const {
  // mkdir -p: every prefix ending before a '/', then the whole path.
  for (std::size_t slash = directory_.find('/', 1);; slash = directory_.find('/', slash + 1)) {
    const std::string prefix = directory_.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return "cannot create the cache directory " + quoted(prefix) + ": " + std::strerror(errno);
    }
    if (slash == std::string::npos) break;
  }
  struct stat info {};
  if (::stat(directory_.c_str(), &info) != 0)
    return "cannot use the cache directory " + quoted(directory_) + ": " + std::strerror(errno);
  if (!S_ISDIR(info.st_mode))
    return "cannot use the cache directory " + quoted(directory_) + ": not a directory";
  if (::access(directory_.c_str(), R_OK | W_OK | X_OK) != 0)
    return "cannot use the cache directory " + quoted(directory_) + ": " + std::strerror(errno);
  return {};
}

std::string response_cache::untrusted() const {
  struct stat info {};
  if (::stat(directory_.c_str(), &info) != 0) return {};  // prepare() reports it
  const std::string what = "the cache directory " + quoted(directory_);
  if (info.st_uid != ::geteuid() && info.st_uid != 0) return what + " belongs to another user: not used";
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return what + " is writable by other users: not used (chmod go-w it)";
  return {};
}

std::string response_cache::entry_path(const std::string &url) const {
  return directory_ + "/" + hex64(fnv1a_64(url)) + ".entry";
}

bool response_cache::load(const std::string &url, std::string &body, std::time_t now,
                          std::string *distrust) const {
  if (ttl_s_ <= 0) return false;
  const std::string path = entry_path(url);
  // O_NONBLOCK: a FIFO's open() would wait for a writer. O_NOFOLLOW: a link could point anywhere.
  file_descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY));
  const auto refuse = [&](const char *why) {
    if (distrust != nullptr) *distrust = "the cache entry " + quoted(path) + " " + why + ": ignored";
    return false;
  };
  if (fd.get() < 0) return errno == ELOOP ? refuse("is a symbolic link") : false;
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return false;
  if (!S_ISREG(info.st_mode)) return refuse("is not a regular file");
  if (info.st_uid != ::geteuid()) return refuse("belongs to another user");
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) return refuse("is writable by other users");
  // The header is a few lines plus the URL; its size bounds the body's.
  const long long header_bound = 128 + static_cast<long long>(url.size());
  if (info.st_size > max_body_ + header_bound) return refuse("is larger than --max-body");
  std::string entry;
  if (!read_all(fd.get(), entry, static_cast<std::size_t>(info.st_size))) return false;

  std::string_view rest = entry, magic, stored_url, stored_at_text, length_text, hash_text;
  if (!take_line(rest, magic) || magic != magic_line) return false;
  if (!take_line(rest, stored_url) || stored_url != url) return false;
  long long stored_at = 0, length = 0;
  if (!take_line(rest, stored_at_text) || !parse_count(stored_at_text, stored_at)) return false;
  if (!take_line(rest, length_text) || !parse_count(length_text, length)) return false;
  if (!take_line(rest, hash_text) || static_cast<long long>(rest.size()) != length) return false;
  if (length > max_body_) return refuse("is larger than --max-body");
  if (hash_text != hex64(fnv1a_64(rest))) return false;  // a damaged body
  // An entry from the future (the clock went back) is not trusted to be fresh.
  const long long now_s = static_cast<long long>(now);
  if (stored_at > now_s || now_s - stored_at >= ttl_s_) return false;
  body.assign(rest.data(), rest.size());
  return true;
}

std::string response_cache::store(const std::string &url, std::string_view body, std::time_t now) const {
  if (url.find('\n') != std::string::npos) return "a URL with a line break cannot be cached";
  const std::string path = entry_path(url);
  std::string temp_path = directory_ + "/." + hex64(fnv1a_64(url)) + ".tmp-XXXXXX";
  file_descriptor fd(::mkstemp(&temp_path[0]));
  if (fd.get() < 0)
    return "cannot write in the cache directory " + quoted(directory_) + ": " + std::strerror(errno);

  std::string header;
  header.reserve(magic_line.size() + url.size() + 64);
  header.append(magic_line).append("\n").append(url).append("\n");
  header.append(std::to_string(static_cast<long long>(now))).append("\n");
  header.append(std::to_string(body.size())).append("\n");
  header.append(hex64(fnv1a_64(body))).append("\n");
  const bool written = write_all(fd.get(), header) && write_all(fd.get(), body);
  const int saved_errno = errno;
  if (!written || fd.close() != 0) {
    const std::string reason = std::strerror(written ? errno : saved_errno);
    ::unlink(temp_path.c_str());
    return "cannot write the cache entry " + quoted(temp_path) + ": " + reason;
  }
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp_path.c_str());
    return "cannot replace the cache entry " + quoted(path) + ": " + reason;
  }
  return {};
}

cached_answers::cached_answers(response_cache cache, std::function<std::string(std::size_t)> url_of,
                               std::size_t count)
    : cache_(std::move(cache)), url_of_(std::move(url_of)), served_(count, false) {
  first_problem_ = cache_.untrusted();
  trusted_ = first_problem_.empty();
}

cached_answers::cached_answers(response_cache cache, std::vector<std::string> urls)
    : cached_answers(std::move(cache), nullptr, urls.size()) {
  url_of_ = [urls = std::move(urls)](std::size_t artist) { return urls[artist]; };
}

bool cached_answers::load(std::size_t artist, std::string &body) {
  // Stopped while the cache answers (100,000 entries take a while): the rest go to the run, which cancels
  // them.
  if (!trusted_ || artist >= served_.size() || engine::recorded_stop_signal() != 0) return false;
  std::string distrust;
  if (!cache_.load(url_of_(artist), body, std::time(nullptr), first_problem_.empty() ? &distrust : nullptr)) {
    if (!distrust.empty()) first_problem_ = std::move(distrust);
    return false;
  }
  served_[artist] = true;
  return true;
}

void cached_answers::artist_finished(std::size_t artist, const itunes::artist_record &record,
                                     std::string_view body) {
  if (!trusted_ || !record.ok || body.empty() || artist >= served_.size() || served_[artist]) return;
  std::string problem = cache_.store(url_of_(artist), body, std::time(nullptr));
  if (!problem.empty() && first_problem_.empty()) first_problem_ = std::move(problem);
}

}  // namespace cache

#include "itunes/results.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stream.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <system_error>
#include <utility>
#ifdef RAPIDJSON_SSE2
#include <emmintrin.h>
#endif

#include "text/utf8.hpp"

namespace itunes {

namespace {

// Iterative: no recursion per nesting level. ValidateEncoding: reject invalid UTF-8. NumbersAsStrings:
// numbers reach us as their text, which keeps trackCount exact and skips the exponent arithmetic of
// CVE-2024-38517 (1.1.0 still scans every number and refuses one past DBL_MAX). No StopWhenDone: trailing
// garbage is an error.
constexpr unsigned parse_flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseNumbersAsStringsFlag;

// The same without ValidateEncoding, for bodies already known to be valid UTF-8.
constexpr unsigned prevalidated_parse_flags = parse_flags & ~rapidjson::kParseValidateEncodingFlag;

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Copies a piece of JSON that RapidJSON has just read without error, dropping the whitespace between tokens.
// Strings are copied whole (escapes included) with memchr, which matters: albums are mostly string bytes.
std::string without_insignificant_space(std::string_view text) {
  std::string out(text.size(), '\0');
  char *dst = out.data();
  const char *p = text.data();
  const char *const end = p + text.size();
  while (p < end) {
    const char c = *p++;
    if (is_json_space(c)) continue;
    *dst++ = c;
    if (c != '"') continue;
    // Inside a string: copy up to the closing quote, stepping over each backslash and the character it
    // escapes.
    for (;;) {
      const auto *quote = static_cast<const char *>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
      if (quote == nullptr) quote = end;  // cannot happen in a valid slice; stay in bounds anyway
      const auto *backslash =
          static_cast<const char *>(std::memchr(p, '\\', static_cast<std::size_t>(quote - p)));
      const char *stop = backslash != nullptr ? backslash : quote;
      std::memcpy(dst, p, static_cast<std::size_t>(stop - p));
      dst += stop - p;
      p = stop;
      if (p == end) break;
      *dst++ = *p++;  // the quote or the backslash
      if (stop == quote) break;
      if (p < end) *dst++ = *p++;  // the escaped character
    }
  }
  out.resize(static_cast<std::size_t>(dst - out.data()));
  return out;
}

// Accepts only a plain integer: a fraction, an exponent or a value outside long long leaves nullopt.
std::optional<long long> integer_from(std::string_view text) {
  long long value = 0;
  const char *end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

enum class value_kind { scalar, object, array };

enum class album_field { none, artist_name, collection_name, release_date, primary_genre, track_count };

album_field field_for_key(std::string_view key) {
  if (key == "artistName") return album_field::artist_name;
  if (key == "collectionName") return album_field::collection_name;
  if (key == "releaseDate") return album_field::release_date;
  if (key == "primaryGenreName") return album_field::primary_genre;
  if (key == "trackCount") return album_field::track_count;
  return album_field::none;
}

// SAX handler. depth_ counts the containers open around the current event: the top-level object's members are
// at depth 1, the elements of "results" at depth 2, an album's own members at depth 3. Anything deeper is
// only counted, so nested keys can never pass for album fields.
template <typename Stream>
class results_handler {
 public:
  results_handler(std::string_view body, Stream &stream, const album_filter &keep)
      : body_(body), stream_(stream), keep_(keep) {}

  bool Null() { return scalar(); }
  bool Bool(bool) { return scalar(); }
  bool Int(int) { return scalar(); }
  bool Uint(unsigned) { return scalar(); }
  bool Int64(int64_t) { return scalar(); }
  bool Uint64(uint64_t) { return scalar(); }
  bool Double(double) { return scalar(); }

  bool RawNumber(const char *text, rapidjson::SizeType length, bool) {
    if (!value_starts(value_kind::scalar)) return false;
    if (in_album_field(album_field::track_count)) fields_.track_count = integer_from({text, length});
    field_ = album_field::none;
    return true;
  }

  bool String(const char *text, rapidjson::SizeType length, bool) {
    if (!value_starts(value_kind::scalar)) return false;
    if (depth_ == 3 && in_album_) {
      if (field_ == album_field::artist_name) {
        albums_.back().artist_name.emplace(text, length);
      } else if (std::string *buffer = text_buffer(field_)) {
        buffer->assign(text, length);
      }
    }
    field_ = album_field::none;
    return true;
  }

  bool Key(const char *text, rapidjson::SizeType length, bool) {
    const std::string_view key(text, length);
    if (depth_ == 1) {
      results_key_pending_ = (key == "results");
    } else if (depth_ == 3 && in_album_) {
      field_ = field_for_key(key);
      clear_field();  // a duplicate key: the last one wins, even when it has another type
    }
    return true;
  }

  bool StartObject() {
    if (!value_starts(value_kind::object)) return false;
    if (depth_ == 2 && in_results_) {
      // The iterative parser announces a container before taking its bracket: Tell() is the '{' itself.
      album_begin_ = stream_.Tell();
      albums_.emplace_back();
      fields_.clear();
      in_album_ = true;
    }
    field_ = album_field::none;
    ++depth_;
    return true;
  }

  bool EndObject(rapidjson::SizeType) {
    --depth_;
    if (depth_ == 2 && in_album_) {
      // Likewise Tell() is the closing '}', not the byte after it.
      const std::size_t end = stream_.Tell() + 1;
      album &current = albums_.back();
      // An album the filter refuses keeps only its artistName: copying out the rest would be most of the
      // parse's memory work.
      if (!keep_ || keep_(current.artist_name ? &*current.artist_name : nullptr)) {
        current.json = without_insignificant_space(body_.substr(album_begin_, end - album_begin_));
        fields_.copy_to(current);
      }
      in_album_ = false;
    }
    return true;
  }

  bool StartArray() {
    if (!value_starts(value_kind::array)) return false;
    field_ = album_field::none;
    ++depth_;
    return true;
  }

  bool EndArray(rapidjson::SizeType) {
    --depth_;
    if (depth_ == 1) in_results_ = false;
    return true;
  }

  // Set when the handler stopped the parse; RapidJSON then only says kParseErrorTermination.
  const char *error() const { return error_; }

  // Meaningful once the whole document parsed.
  const char *final_error() const {
    if (!results_seen_) return "response has no \"results\" array";
    if (!results_is_array_) return "response \"results\" is not an array";
    return nullptr;
  }

  std::vector<album> take_albums() { return std::move(albums_); }

 private:
  bool scalar() {
    if (!value_starts(value_kind::scalar)) return false;
    field_ = album_field::none;
    return true;
  }

  // Bookkeeping common to every value: the top level must be an object, and the value of a top-level
  // "results" decides whether there is a results array. The last "results" wins, like any duplicate key.
  bool value_starts(value_kind kind) {
    if (depth_ == 0) {
      if (kind == value_kind::object) return true;
      error_ = "response is not a JSON object";
      return false;
    }
    if (depth_ == 1 && results_key_pending_) {
      results_key_pending_ = false;
      results_seen_ = true;
      results_is_array_ = (kind == value_kind::array);
      in_results_ = results_is_array_;
      albums_.clear();
      albums_.reserve(
          8);  // the API's default limit is 5: one allocation instead of four for the usual answer
    }
    return true;
  }

  bool in_album_field(album_field field) const { return depth_ == 3 && in_album_ && field_ == field; }

  // The buffer of a string field the table view shows; nullptr for the others.
  std::string *text_buffer(album_field field) {
    switch (field) {
      case album_field::collection_name:
        return &fields_.collection_name;
      case album_field::release_date:
        return &fields_.release_date;
      case album_field::primary_genre:
        return &fields_.primary_genre;
      case album_field::artist_name:
      case album_field::track_count:
      case album_field::none:
        break;
    }
    return nullptr;
  }

  void clear_field() {
    if (field_ == album_field::artist_name) {
      albums_.back().artist_name.reset();
    } else if (field_ == album_field::track_count) {
      fields_.track_count.reset();
    } else if (std::string *buffer = text_buffer(field_)) {
      buffer->clear();
    }
  }

  std::string_view body_;
  Stream &stream_;
  const album_filter &keep_;
  std::vector<album> albums_;
  // The current album's fields other than artistName, copied into it only if the filter keeps it; their
  // buffers serve one album after another.
  struct pending_fields {
    std::string collection_name, release_date, primary_genre;
    std::optional<long long> track_count;

    void clear() {
      collection_name.clear();
      release_date.clear();
      primary_genre.clear();
      track_count.reset();
    }
    void copy_to(album &kept) const {
      kept.collection_name = collection_name;
      kept.release_date = release_date;
      kept.primary_genre = primary_genre;
      kept.track_count = track_count;
    }
  } fields_;
  std::size_t depth_ = 0;
  std::size_t album_begin_ = 0;
  album_field field_ = album_field::none;
  const char *error_ = nullptr;
  bool results_key_pending_ = false;
  bool results_seen_ = false;
  bool results_is_array_ = false;
  bool in_results_ = false;
  bool in_album_ = false;
};

// RapidJSON's SSE2 string and whitespace scanners (RAPIDJSON_SSE2, set for every file by the Makefile on
// x86-64) only serve NUL-terminated string streams, and read whole aligned 16-byte blocks, up to 15 bytes
// past the terminator. A thread's copy of the body, padded with zeros, gives them that; being a copy, it is
// parsed in situ: strings and numbers are handed over where they lie instead of being copied onto the
// parser's stack first, and album offsets still index the body, as parsing in situ moves
// no byte forward. Their control-character test lets 0x1A to 0x1F through (it compares with 0x19), so a body
// holding one of those bytes, which is invalid JSON inside a string, keeps the byte-by-byte parser that
// reports it.
#ifdef RAPIDJSON_SSE2
constexpr bool simd_scanning = true;
#else
constexpr bool simd_scanning = false;
#endif

bool has_byte_the_simd_scan_misses(std::string_view body) {
  const auto missed = [](char c) {
    return static_cast<unsigned char>(static_cast<unsigned char>(c) - 0x1A) < 6;
  };
  std::size_t i = 0;
#ifdef RAPIDJSON_SSE2
  // 16 bytes a step (a byte loop would cost as much as the scanning it enables saves).
  const __m128i low = _mm_set1_epi8(0x1A);
  const __m128i span = _mm_set1_epi8(5);
  __m128i seen = _mm_setzero_si128();
  for (; i + 16 <= body.size(); i += 16) {
    const __m128i offset =
        _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(body.data() + i)), low);
    seen = _mm_or_si128(seen, _mm_cmpeq_epi8(_mm_min_epu8(offset, span), offset));  // offset <= 5, unsigned
  }
  if (_mm_movemask_epi8(seen) != 0) return true;
#endif
  for (; i < body.size(); ++i)
    if (missed(body[i])) return true;
  return false;
}

// The value of the four hex digits at `at`, or -1 when they are not four hex digits.
int hex4_at(std::string_view text, std::size_t at) {
  if (at + 4 > text.size()) return -1;
  unsigned value = 0;  // unsigned: from_chars then accepts no sign
  const char *first = text.data() + at;
  const auto [end, error] = std::from_chars(first, first + 4, value, 16);
  return error == std::errc() && end == first + 4 ? static_cast<int>(value) : -1;
}

bool is_high_surrogate(int unit) {
  return unit >= 0xD800 && unit <= 0xDBFF;
}

bool is_low_surrogate(int unit) {
  return unit >= 0xDC00 && unit <= 0xDFFF;
}

// Where the four hex digits of the first lone surrogate escape at or after `from` start, or npos: a \uD800 to
// \uDBFF not followed by a \uDC00 to \uDFFF, or a \uDC00 to \uDFFF not preceded by one. `from` must be where
// an escape may start (0, or the end of a previous escape). Backslashes only occur in strings, where each
// starts a two-character escape (six with \u), so walking from one to the next keeps step, "\\ud800"
// included.
std::size_t find_lone_surrogate(std::string_view body, std::size_t from) {
  for (std::size_t at = from; at < body.size();) {
    const auto *backslash = static_cast<const char *>(std::memchr(body.data() + at, '\\', body.size() - at));
    if (backslash == nullptr) break;
    at = static_cast<std::size_t>(backslash - body.data());
    if (at + 1 >= body.size() || body[at + 1] != 'u') {
      at += 2;
      continue;
    }
    const int unit = hex4_at(body, at + 2);
    if (is_low_surrogate(unit)) return at + 2;
    if (is_high_surrogate(unit)) {
      const bool paired = body.substr(at + 6, 2) == "\\u" && is_low_surrogate(hex4_at(body, at + 8));
      if (!paired) return at + 2;
      at += 6;  // and the low half next
    }
    at += 6;
  }
  return std::string_view::npos;
}

// A lone surrogate is turned into the escape \ufffd, U+FFFD REPLACEMENT CHARACTER, before parsing. RapidJSON
// 1.1.0 would reject the whole body for a lone high one (every album of the artist lost for one bad title)
// and decode a lone low one into ED B0 80, bytes that are not UTF-8, into names, matching and the report.
// Go's encoding/json decodes them the same way. The escape has the same six bytes, so every offset (album
// slices, error positions) stays the server's, and the albums' kept json says \ufffd too: it then decodes to
// the same text as the fields, in our table and in any reader of the report (strict ones such as serde_json
// refuse lone surrogates). Returns `body`, or its corrected copy in `fixed`.
std::string_view without_lone_surrogates(std::string_view body, std::string &fixed) {
  std::size_t at = find_lone_surrogate(body, 0);
  if (at == std::string_view::npos) return body;
  fixed.assign(body.data(), body.size());
  do {
    fixed.replace(at, 4, "fffd");
    at = find_lone_surrogate(body, at + 4);
  } while (at != std::string_view::npos);
  return fixed;
}

// The parser's stack (nesting levels, and strings copied out of a stream that is not parsed in situ).
// RapidJSON 1.1.0's internal::Stack keeps Realloc's result unchecked, then writes through it: a null from the
// default CrtAllocator is a crash. This one throws std::bad_alloc instead, before the stack has changed (it
// frees its old block when the reader unwinds), and the caller ends that artist as out of memory.
struct throwing_allocator {
  [[maybe_unused]] static const bool kNeedFree = true;  // RapidJSON's allocator concept
  void *Malloc(std::size_t size) {
    if (size == 0) return nullptr;
    void *block = std::malloc(size);
    if (block == nullptr) throw std::bad_alloc();
    return block;
  }
  void *Realloc(void *original, std::size_t, std::size_t size) {
    if (size == 0) {
      std::free(original);
      return nullptr;
    }
    void *block = std::realloc(original, size);
    if (block == nullptr) throw std::bad_alloc();
    return block;
  }
  static void Free(void *block) { std::free(block); }
};

template <unsigned flags, typename Stream>
parse_result parse_with(std::string_view body, Stream &stream, const album_filter &keep) {
  parse_result result;
  results_handler<Stream> handler(body, stream, keep);
  rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, throwing_allocator> reader;
  const rapidjson::ParseResult parsed = reader.Parse<flags>(stream, handler);
  if (handler.error() != nullptr) {
    result.error = handler.error();
    return result;
  }
  if (parsed.IsError()) {
    result.error = "response is not valid JSON (";
    result.error += rapidjson::GetParseError_En(parsed.Code());
    result.error += " at byte ";
    result.error += std::to_string(parsed.Offset());
    result.error += ')';
    return result;
  }
  if (const char *error = handler.final_error()) {
    result.error = error;
    return result;
  }
  result.ok = true;
  result.albums = handler.take_albums();
  return result;
}

}  // namespace

parse_result parse_results(std::string_view server_body, const album_filter &keep) {
  std::string fixed;
  const std::string_view body = without_lone_surrogates(server_body, fixed);
  if (std::all_of(body.begin(), body.end(), is_json_space)) {
    parse_result result;
    result.error = "response is empty";
    return result;
  }
  // RapidJSON's streams use NUL as their end marker: a NUL inside the body would silently end the document.
  if (std::memchr(body.data(), '\0', body.size()) != nullptr) {
    parse_result result;
    result.error = "response contains a NUL byte";
    return result;
  }
  // RapidJSON's UTF-8 check goes character by character, a large share of a run's CPU. Nearly every body
  // passes one quick check of our own instead, and is parsed without it; any other body takes the
  // validating parser, so its error and offset are the ones RapidJSON reports.
  if (!text::is_valid_utf8(body)) {
    rapidjson::MemoryStream stream(body.data(), body.size());
    return parse_with<parse_flags>(body, stream, keep);
  }
  if (!simd_scanning || has_byte_the_simd_scan_misses(body)) {
    rapidjson::MemoryStream stream(body.data(), body.size());
    return parse_with<prevalidated_parse_flags>(body, stream, keep);
  }
  constexpr std::size_t padding = 16;
  thread_local std::string padded;
  // One huge body must not stay with the thread, neither after its parse nor after running out of memory.
  struct release_when_huge {
    ~release_when_huge() {
      if (padded.capacity() > 1024 * 1024) std::string().swap(padded);
    }
  } release;
  padded.assign(body.data(), body.size());
  padded.append(padding, '\0');
  rapidjson::InsituStringStream stream(padded.data());
  return parse_with<prevalidated_parse_flags | rapidjson::kParseInsituFlag>(body, stream, keep);
}

}  // namespace itunes

// Name comparison for artistfetch: normalization, simple case folding, diacritic stripping, invisible
// differences and edit distance, over code points decoded here; the Unicode rules themselves come from
// src/text/unicode.hpp (utf8proc).
#include "itunes/matching.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include "text/unicode.hpp"
#include "text/utf8.hpp"

namespace itunes {
namespace {

using text::append_utf8;
using text::decode_utf8;
using text::utf8_step;

// ---------------------------------------------------------------------------------------------------------
// UTF-8

// Code points never assigned by Unicode stand for invalid bytes, so that they compare unequal to every
// character and to each other unless they are the same byte.
constexpr char32_t invalid_byte_base = 0x110000;

// Decodes like decode_utf8, but an invalid sequence consumes one byte, which the callers carry through as is.
utf8_step decode_or_byte(std::string_view text, std::size_t at) {
  const utf8_step step = decode_utf8(text, at);
  if (step.valid) return step;
  return {invalid_byte_base + static_cast<unsigned char>(text[at]), 1, false};
}

// append_utf8, with the stand-ins for invalid bytes written back as those bytes.
void append_folded(std::string &out, char32_t code_point) {
  if (code_point >= invalid_byte_base)
    out += static_cast<char>(code_point - invalid_byte_base);
  else
    append_utf8(out, code_point);
}

void code_points_of(std::string_view text, std::vector<char32_t> &points) {
  points.clear();
  points.reserve(text.size());  // at most one code point per byte: one allocation, not one per doubling
  for (std::size_t at = 0; at < text.size();) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {  // ASCII, most of any name: no decoding
      points.push_back(static_cast<unsigned char>(text[at++]));
      continue;
    }
    const utf8_step step = decode_or_byte(text, at);
    points.push_back(step.code_point);
    at += step.length;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Edit distance

// Levenshtein distance limited to `limit`: only the diagonal band |i - j| <= limit is computed, and the
// computation stops as soon as a whole row exceeds the limit. Returns limit + 1 for "more than limit". Keeps
// its rows (and the callers their code points) from one call to the next: suggestions are computed for every
// response without a match, a few names each, and allocating for each name cost more than comparing them.
class bounded_levenshtein {
 public:
  std::size_t operator()(const std::vector<char32_t> &a, const std::vector<char32_t> &b, std::size_t limit);

 private:
  std::vector<std::size_t> previous_, current_;
};

std::size_t bounded_levenshtein::operator()(const std::vector<char32_t> &a, const std::vector<char32_t> &b,
                                            std::size_t limit) {
  const std::size_t n = a.size(), m = b.size();
  const std::size_t over = limit + 1;
  if ((n > m ? n - m : m - n) > limit) return over;
  std::vector<std::size_t> &previous = previous_, &current = current_;
  previous.assign(m + 1, over);
  current.assign(m + 1, over);
  for (std::size_t j = 0; j <= std::min(m, limit); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    std::size_t low = i > limit ? i - limit : 0;
    const std::size_t high = std::min(m, i + limit);
    std::size_t row_min = over;
    if (low == 0) {
      current[0] = i;
      row_min = i;
      low = 1;
    } else {
      current[low - 1] = over;  // left of the band
    }
    for (std::size_t j = low; j <= high; ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      const std::size_t value = std::min({substitution, previous[j] + 1, current[j - 1] + 1, over});
      current[j] = value;
      row_min = std::min(row_min, value);
    }
    if (high < m) current[high + 1] = over;  // right of the band, read by the next row
    if (row_min > limit) return over;
    std::swap(previous, current);
  }
  return std::min(previous[m], over);
}

// ---------------------------------------------------------------------------------------------------------
// Invisible differences

// A name as a person sees it: its visible characters, and between them the gaps of white space and invisible
// characters. gaps[i] precedes visible[i]; the last gap trails the name.
struct name_shape {
  std::vector<char32_t> visible;
  std::vector<std::vector<char32_t>> gaps;
};

name_shape shape_of(const std::vector<char32_t> &points) {
  name_shape shape;
  shape.gaps.emplace_back();
  for (const char32_t point : points) {
    if (point < invalid_byte_base && text::visibility_of(point) != text::visibility::visible) {
      shape.gaps.back().push_back(point);
    } else {
      shape.visible.push_back(point);
      shape.gaps.emplace_back();
    }
  }
  return shape;
}

bool has_space(const std::vector<char32_t> &gap) {
  return std::any_of(gap.begin(), gap.end(),
                     [](char32_t point) { return text::visibility_of(point) == text::visibility::space; });
}

// Whether a reader sees the same name: the same visible characters, separated by white space at the same
// places (how much, and of which kind, cannot be told apart), whatever leads or trails.
bool look_alike(const name_shape &a, const name_shape &b) {
  if (a.visible != b.visible) return false;
  for (std::size_t i = 1; i + 1 < a.gaps.size(); ++i)
    if (has_space(a.gaps[i]) != has_space(b.gaps[i])) return false;
  return true;
}

// The characters of one gap missing from the other, both ways (as multisets).
std::vector<char32_t> gap_difference(std::vector<char32_t> a, std::vector<char32_t> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<char32_t> differing;
  std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(differing));
  differing.erase(std::unique(differing.begin(), differing.end()), differing.end());
  return differing;
}

// "U+00A0 NO-BREAK SPACE", "a trailing U+0020 SPACE", ... for every gap where two look-alike names differ.
std::vector<std::string> gap_phrases(const name_shape &a, const name_shape &b) {
  std::vector<std::string> phrases;
  const std::size_t last = a.gaps.size() - 1;
  for (std::size_t i = 0; i <= last; ++i) {
    std::vector<char32_t> differing = gap_difference(a.gaps[i], b.gaps[i]);
    if (differing.empty()) continue;
    // Another space in place of a plain one: the unusual one is the difference worth naming.
    if (differing.size() > 1) differing.erase(std::remove(differing.begin(), differing.end(), U' '), differing.end());
    for (const char32_t point : differing) {
      std::string phrase = text::describe_code_point(point);
      if (i == 0)
        phrase = "a leading " + phrase;
      else if (i == last)
        phrase = "a trailing " + phrase;
      else if (point == U' ')
        phrase = "an extra " + phrase;
      if (std::find(phrases.begin(), phrases.end(), phrase) == phrases.end()) phrases.push_back(phrase);
    }
  }
  return phrases;
}

// "A", "A and B", "A, B and C".
std::string listed(const std::vector<std::string> &items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += i + 1 == items.size() ? " and " : ", ";
    text += items[i];
  }
  return text;
}

// How alike a suggestion is to the name asked for; lower ranks first.
enum class likeness { invisible, case_only, accents_only, spelling };

likeness likeness_of(const std::string &note) {
  if (note.rfind("differs only in case", 0) == 0) return likeness::case_only;
  if (note.rfind("differs only in accents", 0) == 0) return likeness::accents_only;
  if (note.rfind("differs only", 0) == 0) return likeness::invisible;
  return likeness::spelling;
}

}  // namespace

std::string describe_difference(std::string_view name, std::string_view artist) {
  if (name == artist) return {};
  const std::string name_nfc = text::to_nfc(name), artist_nfc = text::to_nfc(artist);
  if (name_nfc == artist_nfc) return "differs only in Unicode normalization";
  std::vector<char32_t> name_points, artist_points;
  code_points_of(name_nfc, name_points);
  code_points_of(artist_nfc, artist_points);
  name_shape name_shape = shape_of(name_points), artist_shape = shape_of(artist_points);
  if (look_alike(name_shape, artist_shape)) return "differs only by " + listed(gap_phrases(name_shape, artist_shape));
  code_points_of(fold_case(name_nfc), name_points);
  code_points_of(fold_case(artist_nfc), artist_points);
  name_shape = shape_of(name_points);
  artist_shape = shape_of(artist_points);
  if (look_alike(name_shape, artist_shape)) {
    const std::vector<std::string> phrases = gap_phrases(name_shape, artist_shape);
    return phrases.empty() ? "differs only in case" : "differs only in case and by " + listed(phrases);
  }
  if (loose_key(name) == loose_key(artist)) return "differs only in accents";
  return "differs in spelling";
}

std::string fold_case(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const utf8_step step = decode_or_byte(text, at);
    if (step.valid) {
      append_folded(out, text::simple_fold(step.code_point));
    } else {
      out += text[at];
    }
    at += step.length;
  }
  return out;
}

std::string loose_key(std::string_view text) {
  std::string out;
  loose_key(text, out);
  return out;
}

void loose_key(std::string_view text, std::string &out) {
  out.clear();
  for (std::size_t at = 0; at < text.size();) {
    const char c = text[at];
    if (static_cast<unsigned char>(c) < 0x80) {  // ASCII: folded, and no base to find, no decoding
      out += static_cast<char>(text::simple_fold(static_cast<unsigned char>(c)));
      ++at;
      continue;
    }
    const utf8_step step = decode_or_byte(text, at);
    if (!step.valid) {
      out += text[at];
    } else {
      text::append_base_letters(out, step.code_point);
    }
    at += step.length;
  }
}

std::string match_key(std::string_view text, match_mode mode) {
  switch (mode) {
    case match_mode::bytes:
      return std::string(text);
    case match_mode::nocase:
      return text::to_nfkc_casefold(text);
    case match_mode::exact:
      break;
  }
  return text::to_nfc(text);
}

bool matches_key(std::string_view name, std::string_view key, match_mode mode) {
  const bool ascii = std::all_of(name.begin(), name.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  switch (mode) {
    case match_mode::bytes:
      return name == key;
    case match_mode::nocase:
      if (!ascii) return text::to_nfkc_casefold(name) == key;
      // An ASCII name folds to its lowercase, compared in place.
      return name.size() == key.size() && std::equal(name.begin(), name.end(), key.begin(), [](char a, char b) {
               return (a >= 'A' && a <= 'Z' ? static_cast<char>(a + 32) : a) == b;
             });
    case match_mode::exact:
      break;
  }
  return name == key || (!ascii && text::to_nfc(name) == key);  // ASCII is its own NFC
}

bool names_match(std::string_view name, std::string_view artist, match_mode mode) {
  if (name == artist) return true;
  return mode != match_mode::bytes && matches_key(name, match_key(artist, mode), mode);
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  std::vector<char32_t> a_points, b_points;
  code_points_of(a, a_points);
  code_points_of(b, b_points);
  return bounded_levenshtein()(a_points, b_points, limit);
}

std::vector<suggestion> suggest(const std::vector<album> &albums, std::string_view artist,
                                std::size_t max_count) {
  std::string key;
  std::vector<char32_t> wanted, points;
  loose_key(artist, key);
  code_points_of(key, wanted);
  const std::size_t limit = std::max<std::size_t>(2, wanted.size() / 3);
  struct candidate {
    likeness rank;
    std::size_t distance;
    const std::string *name;
    std::string note;
  };
  std::vector<candidate> candidates;
  std::vector<std::string_view> seen;  // a response holds a few distinct names: a list beats a hash set
  seen.reserve(albums.size());
  bounded_levenshtein distance_to_wanted;
  for (const album &each : albums) {
    if (!each.artist_name || *each.artist_name == artist) continue;
    if (std::find(seen.begin(), seen.end(), *each.artist_name) != seen.end()) continue;
    seen.push_back(*each.artist_name);
    loose_key(*each.artist_name, key);
    code_points_of(key, points);
    const std::size_t distance = distance_to_wanted(points, wanted, limit);
    std::string note = describe_difference(*each.artist_name, artist);
    const likeness rank = likeness_of(note);
    if (rank != likeness::spelling || distance <= limit)
      candidates.push_back({rank, distance, &*each.artist_name, std::move(note)});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const candidate &x, const candidate &y) {
    return x.rank != y.rank ? x.rank < y.rank : x.distance < y.distance;
  });
  std::vector<suggestion> chosen;
  for (std::size_t i = 0; i < candidates.size() && i < max_count; ++i)
    chosen.push_back({*candidates[i].name, std::move(candidates[i].note)});
  return chosen;
}

std::vector<std::string> suggest_names(const std::vector<album> &albums, std::string_view artist,
                                       std::size_t max_count) {
  std::vector<std::string> names;
  for (suggestion &each : suggest(albums, artist, max_count)) names.push_back(std::move(each.name));
  return names;
}

}  // namespace itunes

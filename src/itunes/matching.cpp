// Name comparison for artistfetch: simple case folding, diacritic stripping and edit distance, all over code
// points decoded here. The tables are hand-written from the Unicode Character Database (CaseFolding.txt and
// the canonical decompositions) for the scripts artist names mostly use; see matching.hpp for the coverage.
#include "itunes/matching.hpp"

#include <algorithm>
#include <utility>

#include "itunes/utf8.hpp"

namespace itunes {
namespace {

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
// Simple case folding

// A block where capital and small letters alternate, starting with a capital at `first` and ending with a
// small letter at `last`: each capital folds to the code point after it.
struct alternating_range {
  char32_t first;
  char32_t last;
};

constexpr alternating_range alternating_ranges[] = {
    {0x0100, 0x012F}, {0x0132, 0x0137}, {0x0139, 0x0148}, {0x014A, 0x0177}, {0x0179, 0x017E},  // Latin Ext-A
    {0x01A0, 0x01A5}, {0x01CD, 0x01DC}, {0x01DE, 0x01EF}, {0x01F8, 0x021F}, {0x0222, 0x0233},  // Latin Ext-B
    {0x0246, 0x024F},                                                                          //
    {0x0370, 0x0373}, {0x03D8, 0x03EF},                                      // Greek, Coptic
    {0x0460, 0x0481}, {0x048A, 0x04BF}, {0x04C1, 0x04CE}, {0x04D0, 0x052F},  // Cyrillic
    {0x1E00, 0x1E95}, {0x1EA0, 0x1EFF},                                      // Latin Extended Additional
    {0xA640, 0xA66D}, {0xA680, 0xA69B},                                      // Cyrillic Extended-B
};

// A block of capitals that fold to the block `offset` code points away.
struct shifted_range {
  char32_t first;
  char32_t last;
  int offset;
};

constexpr shifted_range shifted_ranges[] = {
    {0x0041, 0x005A, 32},    // A-Z
    {0x00C0, 0x00D6, 32},    // À-Ö
    {0x00D8, 0x00DE, 32},    // Ø-Þ
    {0x0388, 0x038A, 37},    // Έ-Ί
    {0x038E, 0x038F, 63},    // Ύ-Ώ
    {0x0391, 0x03A1, 32},    // Α-Ρ
    {0x03A3, 0x03AB, 32},    // Σ-Ϋ
    {0x03FD, 0x03FF, -130},  // Ͻ-Ͽ
    {0x0400, 0x040F, 80},    // Ѐ-Џ
    {0x0410, 0x042F, 32},    // А-Я
    {0x0531, 0x0556, 48},    // Armenian Ա-Ֆ
    {0xFF21, 0xFF3A, 32},    // fullwidth Ａ-Ｚ
};

struct single_fold {
  char32_t from;
  char32_t to;
};

// Everything else in the blocks above, sorted by `from`.
constexpr single_fold single_folds[] = {
    {0x00B5, 0x03BC}, {0x0178, 0x00FF}, {0x017F, 0x0073}, {0x0181, 0x0253}, {0x0182, 0x0183},
    {0x0184, 0x0185}, {0x0186, 0x0254}, {0x0187, 0x0188}, {0x0189, 0x0256}, {0x018A, 0x0257},
    {0x018B, 0x018C}, {0x018E, 0x01DD}, {0x018F, 0x0259}, {0x0190, 0x025B}, {0x0191, 0x0192},
    {0x0193, 0x0260}, {0x0194, 0x0263}, {0x0196, 0x0269}, {0x0197, 0x0268}, {0x0198, 0x0199},
    {0x019C, 0x026F}, {0x019D, 0x0272}, {0x019F, 0x0275}, {0x01A6, 0x0280}, {0x01A7, 0x01A8},
    {0x01A9, 0x0283}, {0x01AC, 0x01AD}, {0x01AE, 0x0288}, {0x01AF, 0x01B0}, {0x01B1, 0x028A},
    {0x01B2, 0x028B}, {0x01B3, 0x01B4}, {0x01B5, 0x01B6}, {0x01B7, 0x0292}, {0x01B8, 0x01B9},
    {0x01BC, 0x01BD}, {0x01C4, 0x01C6}, {0x01C5, 0x01C6}, {0x01C7, 0x01C9}, {0x01C8, 0x01C9},
    {0x01CA, 0x01CC}, {0x01CB, 0x01CC}, {0x01F1, 0x01F3}, {0x01F2, 0x01F3}, {0x01F4, 0x01F5},
    {0x01F6, 0x0195}, {0x01F7, 0x01BF}, {0x0220, 0x019E}, {0x023A, 0x2C65}, {0x023B, 0x023C},
    {0x023D, 0x019A}, {0x023E, 0x2C66}, {0x0241, 0x0242}, {0x0243, 0x0180}, {0x0244, 0x0289},
    {0x0245, 0x028C}, {0x0345, 0x03B9}, {0x0376, 0x0377}, {0x037F, 0x03F3}, {0x0386, 0x03AC},
    {0x038C, 0x03CC}, {0x03C2, 0x03C3}, {0x03CF, 0x03D7}, {0x03D0, 0x03B2}, {0x03D1, 0x03B8},
    {0x03D5, 0x03C6}, {0x03D6, 0x03C0}, {0x03F0, 0x03BA}, {0x03F1, 0x03C1}, {0x03F4, 0x03B8},
    {0x03F5, 0x03B5}, {0x03F7, 0x03F8}, {0x03F9, 0x03F2}, {0x03FA, 0x03FB}, {0x04C0, 0x04CF},
    {0x1C80, 0x0432}, {0x1C81, 0x0434}, {0x1C82, 0x043E}, {0x1C83, 0x0441}, {0x1C84, 0x0442},
    {0x1C85, 0x0442}, {0x1C86, 0x044A}, {0x1C87, 0x0463}, {0x1C88, 0xA64B}, {0x1E9B, 0x1E61},
    {0x1E9E, 0x00DF},
};

constexpr bool folds_sorted() {
  for (std::size_t i = 1; i < sizeof single_folds / sizeof single_folds[0]; ++i)
    if (single_folds[i - 1].from >= single_folds[i].from) return false;
  return true;
}
static_assert(folds_sorted(), "binary search needs single_folds sorted");

char32_t fold_code_point(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  for (const shifted_range &range : shifted_ranges) {
    if (c >= range.first && c <= range.last) return static_cast<char32_t>(static_cast<int>(c) + range.offset);
  }
  for (const alternating_range &range : alternating_ranges) {
    if (c >= range.first && c <= range.last) return (c - range.first) % 2 == 0 ? c + 1 : c;
  }
  const single_fold *end = std::end(single_folds);
  const single_fold *found =
      std::lower_bound(std::begin(single_folds), end, c,
                       [](const single_fold &fold, char32_t key) { return fold.from < key; });
  return found != end && found->from == c ? found->to : c;
}

// ---------------------------------------------------------------------------------------------------------
// Diacritics. Applied to folded code points, so the tables hold small letters; they also list the capitals
// where that keeps a row regular.

// U+00C0..U+017F, 16 a row; nullptr: no base letter (×, ÷), kept as it is.
// clang-format off
constexpr const char *latin_bases[] = {
    // U+00C0 À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    // U+00D0 Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
    "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
    // U+00E0 à á â ã ä å æ ç è é ê ë ì í î ï
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    // U+00F0 ð ñ ò ó ô õ ö ÷ ø ù ú û ü ý þ ÿ
    "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "y",
    // U+0100 Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    // U+0110 Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    // U+0120 Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī Ĭ ĭ Į į
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    // U+0130 İ ı Ĳ ĳ Ĵ ĵ Ķ ķ ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    // U+0140 ŀ Ł ł Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ Ō ō Ŏ ŏ
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    // U+0150 Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    // U+0160 Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    // U+0170 Ű ű Ų ų Ŵ ŵ Ŷ ŷ Ÿ Ź ź Ż ż Ž ž ſ
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};
// clang-format on
static_assert(sizeof latin_bases / sizeof latin_bases[0] == 0x180 - 0xC0, "one entry per code point");

// U+1E00..U+1EFF (Latin Extended Additional, much of it Vietnamese), one base letter per code point;
// '.': none (the letter is kept).
// clang-format off
constexpr char latin_additional_bases[] =
    "aabbbbbbccdddddd"   // U+1E00 Ḁ ḁ Ḃ ḃ Ḅ ḅ Ḇ ḇ Ḉ ḉ Ḋ ḋ Ḍ ḍ Ḏ ḏ
    "ddddeeeeeeeeeeff"   // U+1E10 Ḑ ḑ Ḓ ḓ Ḕ ḕ Ḗ ḗ Ḙ ḙ Ḛ ḛ Ḝ ḝ Ḟ ḟ
    "gghhhhhhhhhhiiii"   // U+1E20 Ḡ ḡ Ḣ ḣ Ḥ ḥ Ḧ ḧ Ḩ ḩ Ḫ ḫ Ḭ ḭ Ḯ ḯ
    "kkkkkkllllllllmm"   // U+1E30 Ḱ ḱ Ḳ ḳ Ḵ ḵ Ḷ ḷ Ḹ ḹ Ḻ ḻ Ḽ ḽ Ḿ ḿ
    "mmmmnnnnnnnnoooo"   // U+1E40 Ṁ ṁ Ṃ ṃ Ṅ ṅ Ṇ ṇ Ṉ ṉ Ṋ ṋ Ṍ ṍ Ṏ ṏ
    "oooopppprrrrrrrr"   // U+1E50 Ṑ ṑ Ṓ ṓ Ṕ ṕ Ṗ ṗ Ṙ ṙ Ṛ ṛ Ṝ ṝ Ṟ ṟ
    "sssssssssstttttt"   // U+1E60 Ṡ ṡ Ṣ ṣ Ṥ ṥ Ṧ ṧ Ṩ ṩ Ṫ ṫ Ṭ ṭ Ṯ ṯ
    "ttuuuuuuuuuuvvvv"   // U+1E70 Ṱ ṱ Ṳ ṳ Ṵ ṵ Ṷ ṷ Ṹ ṹ Ṻ ṻ Ṽ ṽ Ṿ ṿ
    "wwwwwwwwwwxxxxyy"   // U+1E80 Ẁ ẁ Ẃ ẃ Ẅ ẅ Ẇ ẇ Ẉ ẉ Ẋ ẋ Ẍ ẍ Ẏ ẏ
    "zzzzzzhtwyasss.."   // U+1E90 Ẑ ẑ Ẓ ẓ Ẕ ẕ ẖ ẗ ẘ ẙ ẚ ẛ ẜ ẝ ẞ ẟ (ẞ has folded to ß before this)
    "aaaaaaaaaaaaaaaa"   // U+1EA0 Ạ ạ Ả ả Ấ ấ Ầ ầ Ẩ ẩ Ẫ ẫ Ậ ậ Ắ ắ
    "aaaaaaaaeeeeeeee"   // U+1EB0 Ằ ằ Ẳ ẳ Ẵ ẵ Ặ ặ Ẹ ẹ Ẻ ẻ Ẽ ẽ Ế ế
    "eeeeeeeeiiiioooo"   // U+1EC0 Ề ề Ể ể Ễ ễ Ệ ệ Ỉ ỉ Ị ị Ọ ọ Ỏ ỏ
    "oooooooooooooooo"   // U+1ED0 Ố ố Ồ ồ Ổ ổ Ỗ ỗ Ộ ộ Ớ ớ Ờ ờ Ở ở
    "oooouuuuuuuuuuuu"   // U+1EE0 Ỡ ỡ Ợ ợ Ụ ụ Ủ ủ Ứ ứ Ừ ừ Ử ử Ữ ữ
    "uuyyyyyyyy......";  // U+1EF0 Ự ự Ỳ ỳ Ỵ ỵ Ỷ ỷ Ỹ ỹ Ỻ ỻ Ỽ ỽ Ỿ ỿ
// clang-format on
static_assert(sizeof latin_additional_bases == 0x100 + 1, "one entry per code point");

// Letters elsewhere whose base is a single code point, sorted by `from`.
constexpr single_fold other_bases[] = {
    {0x01A1, 'o'},    {0x01B0, 'u'},    {0x01CE, 'a'},    {0x01D0, 'i'},    {0x01D2, 'o'},
    {0x01D4, 'u'},    {0x01D6, 'u'},    {0x01D8, 'u'},    {0x01DA, 'u'},    {0x01DC, 'u'},
    {0x0390, 0x03B9}, {0x03AC, 0x03B1}, {0x03AD, 0x03B5}, {0x03AE, 0x03B7}, {0x03AF, 0x03B9},
    {0x03B0, 0x03C5}, {0x03CA, 0x03B9}, {0x03CB, 0x03C5}, {0x03CC, 0x03BF}, {0x03CD, 0x03C5},
    {0x03CE, 0x03C9}, {0x0451, 0x0435},
};

constexpr bool bases_sorted() {
  for (std::size_t i = 1; i < sizeof other_bases / sizeof other_bases[0]; ++i)
    if (other_bases[i - 1].from >= other_bases[i].from) return false;
  return true;
}
static_assert(bases_sorted(), "binary search needs other_bases sorted");

bool is_combining_mark(char32_t c) {
  return c >= 0x0300 && c <= 0x036F;
}

// Appends the diacritic-free spelling of the folded code point `c`.
void append_base(std::string &out, char32_t c) {
  if (c >= 0xC0 && c < 0x180) {
    const char *base = latin_bases[c - 0xC0];
    if (base != nullptr) {
      out += base;
      return;
    }
  } else if (c >= 0x1E00 && c < 0x1F00) {
    const char base = latin_additional_bases[c - 0x1E00];
    if (base != '.') {
      out += base;
      return;
    }
  } else if (c >= 0x01A0 && c < 0x0460) {
    const single_fold *end = std::end(other_bases);
    const single_fold *found =
        std::lower_bound(std::begin(other_bases), end, c,
                         [](const single_fold &fold, char32_t key) { return fold.from < key; });
    if (found != end && found->from == c) {
      append_folded(out, found->to);
      return;
    }
  }
  append_folded(out, c);
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

}  // namespace

std::string fold_case(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const utf8_step step = decode_or_byte(text, at);
    if (step.valid) {
      append_folded(out, fold_code_point(step.code_point));
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
      out += static_cast<char>(fold_code_point(static_cast<unsigned char>(c)));
      ++at;
      continue;
    }
    const utf8_step step = decode_or_byte(text, at);
    if (!step.valid) {
      out += text[at];
    } else {
      const char32_t folded = fold_code_point(step.code_point);
      if (!is_combining_mark(folded)) append_base(out, folded);
    }
    at += step.length;
  }
}

bool names_match(std::string_view name, std::string_view artist, match_mode mode) {
  if (name == artist) return true;
  return mode == match_mode::nocase && fold_case(name) == fold_case(artist);
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  std::vector<char32_t> a_points, b_points;
  code_points_of(a, a_points);
  code_points_of(b, b_points);
  return bounded_levenshtein()(a_points, b_points, limit);
}

std::vector<std::string> suggest_names(const std::vector<album> &albums, std::string_view artist,
                                       std::size_t max_count) {
  std::string key;
  std::vector<char32_t> wanted, points;
  loose_key(artist, key);
  code_points_of(key, wanted);
  const std::size_t limit = std::max<std::size_t>(2, wanted.size() / 3);
  struct candidate {
    std::size_t distance;
    const std::string *name;
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
    if (distance <= limit) candidates.push_back({distance, &*each.artist_name});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const candidate &x, const candidate &y) { return x.distance < y.distance; });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < candidates.size() && i < max_count; ++i) names.push_back(*candidates[i].name);
  return names;
}

}  // namespace itunes

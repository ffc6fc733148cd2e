// Comparing artist names: exact or case-insensitive matching of results, and "did you mean" suggestions when
// nothing matches. No I/O; every function is safe on arbitrary bytes.
//
// Case folding is Unicode *simple* case folding (one code point to one code point, as in CaseFolding.txt
// statuses C and S), for every script utf8proc knows (text::simple_fold). Consequences worth knowing:
//   - 'ß' stays 'ß' and capital 'ẞ' folds to 'ß' (full folding would give "ss"), so nocase treats
//     "STRASSE" and "Straße" as different names; suggestions, below, do map 'ß' to "ss".
//   - 'İ' (dotted capital I) has no simple fold and stays as it is; 'ı' (dotless i) is already lowercase.
//   - final sigma 'ς' folds to 'σ', as does 'Σ'; 'µ' (micro sign) folds to 'μ'.
//   - no Unicode normalisation: "é" precomposed and "e" + U+0301 are different names for nocase.
// Invalid UTF-8 bytes are carried through unchanged, so they still compare byte for byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "itunes/results.hpp"

namespace itunes {

// How a result's artistName is compared with the requested name.
enum class match_mode {
  exact,   // byte for byte, as the classic tutorial does (the default)
  nocase,  // equal after simple case folding; diacritics still count ("beyoncé" = "Beyoncé" != "Beyonce")
};

// The simple case fold of `text`, code point by code point, as UTF-8.
std::string fold_case(std::string_view text);

// The key suggestions compare: fold_case(), then letters with diacritics become their base letter
// ('é' -> 'e', 'ø' -> 'o', 'ł' -> 'l', 'ő' -> 'o', 'ά' -> 'α', 'ё' -> 'е'), combining marks are dropped, and
// the ligatures and letters without a one-letter base are spelled out ('ß' -> "ss", 'æ' -> "ae", 'œ' -> "oe",
// 'þ' -> "th", 'ĳ' -> "ij"): text::append_base_letters().
std::string loose_key(std::string_view text);
void loose_key(std::string_view text, std::string &out);  // the same into `out`, reusing its buffer

// Whether `name` (a result's artistName) matches the requested `artist` under `mode`.
bool names_match(std::string_view name, std::string_view artist, match_mode mode);

// The closest artistNames among `albums` to `artist`, for when none of them matched: up to `max_count`
// distinct names (byte-distinct, first occurrence kept), ranked by the Levenshtein distance between their
// loose_key() and the artist's, counted in code points; ties keep the server's order. Only names within
// max(2, length / 3) edits are offered, where length is the artist key's length in code points, so that a
// typo ("Billy Eilish" -> "Billie Eilish") or a missing accent is caught but an unrelated artist is not.
std::vector<std::string> suggest_names(const std::vector<album> &albums, std::string_view artist,
                                       std::size_t max_count = 3);

// Levenshtein distance between two UTF-8 strings in code points (an invalid byte counts as one), or any
// value above `limit` when the distance exceeds `limit`. Exposed for tests.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

}  // namespace itunes

// Comparing artist names: matching results under one of three modes, and "did you mean" suggestions, each
// with a note saying how it differs, when nothing matches. No I/O; every function is safe on arbitrary bytes.
//
// The modes (match_mode) rely on utf8proc's normalization: `exact` compares both names in NFC, so a "José"
// typed on macOS (e + U+0301) finds Apple's precomposed one; `bytes` compares byte for byte; `nocase` compares
// NFKC_Casefold (full case folding, so 'ß' equals "ss"; compatibility forms, so U+00A0 NO-BREAK SPACE equals a
// space; default-ignorable code points such as U+200B ZERO WIDTH SPACE removed).
//
// fold_case() and loose_key() serve suggestions and use Unicode *simple* case folding (one code point to one
// code point, as in CaseFolding.txt statuses C and S), for every script utf8proc knows (text::simple_fold):
//   - 'ß' stays 'ß' and capital 'ẞ' folds to 'ß' (loose_key then spells 'ß' as "ss");
//   - 'İ' (dotted capital I) has no simple fold and stays as it is; 'ı' (dotless i) is already lowercase;
//   - final sigma 'ς' folds to 'σ', as does 'Σ'; 'µ' (micro sign) folds to 'μ'.
// Invalid UTF-8 bytes are carried through unchanged, so they still compare byte for byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "itunes/results.hpp"

namespace itunes {

// How a result's artistName is compared with the requested name.
enum class match_mode : unsigned char {
  exact,   // canonically equivalent: equal in NFC (the default)
  bytes,   // byte for byte, as the classic tutorial does
  nocase,  // equal in NFKC_Casefold; accents still count ("beyoncé" = "BEYONCÉ" != "Beyonce")
};

// The form of `text` that `mode` compares: itself, its NFC or its NFKC_Casefold.
std::string match_key(std::string_view text, match_mode mode);

// The simple case fold of `text`, code point by code point, as UTF-8.
std::string fold_case(std::string_view text);

// The key suggestions compare: fold_case(), then letters with diacritics become their base letter
// ('é' -> 'e', 'ø' -> 'o', 'ł' -> 'l', 'ő' -> 'o', 'ά' -> 'α', 'ё' -> 'е'), combining marks are dropped, and
// the ligatures and letters without a one-letter base are spelled out ('ß' -> "ss", 'æ' -> "ae", 'œ' -> "oe",
// 'þ' -> "th", 'ĳ' -> "ij"): text::append_base_letters().
std::string loose_key(std::string_view text);
void loose_key(std::string_view text, std::string &out);  // the same into `out`, reusing its buffer

// Whether `name` matches `key`, which is match_key(artist, mode): the test for each result of a response,
// the artist's key made once. Allocates nothing for an ASCII name.
bool matches_key(std::string_view name, std::string_view key, match_mode mode);

// Whether `name` (a result's artistName) matches the requested `artist` under `mode`.
bool names_match(std::string_view name, std::string_view artist, match_mode mode);

// How `name` differs from `artist`, in words, for a person who cannot see the difference:
//   "differs only by U+00A0 NO-BREAK SPACE", "differs only by a trailing U+0020 SPACE",
//   "differs only by U+200B ZERO WIDTH SPACE", "differs only in Unicode normalization",
//   "differs only in case", "differs only in case and by U+00A0 NO-BREAK SPACE", "differs only in accents",
//   or, for any other difference, "differs in spelling". Empty when the two are the same bytes.
std::string describe_difference(std::string_view name, std::string_view artist);

struct suggestion {
  std::string name;  // an artistName as the server wrote it
  std::string note;  // describe_difference(name, artist)
};

// The closest artistNames among `albums` to `artist`, for when none of them matched: up to `max_count`
// distinct names (byte-distinct, first occurrence kept). Ranked first those that differ only in what a person
// cannot see (white space, invisible characters, normalization), then those equal after case folding, then
// those equal but for accents, then the rest by the Levenshtein distance between their loose_key() and the
// artist's, counted in code points; ties keep the server's order. Of the rest, only names within
// max(2, length / 3) edits are offered, where length is the artist key's length in code points, so that a
// typo ("Billy Eilish" -> "Billie Eilish") is caught but an unrelated artist is not.
std::vector<suggestion> suggest(const std::vector<album> &albums, std::string_view artist,
                                std::size_t max_count = 3);

// The names of suggest(), without their notes.
std::vector<std::string> suggest_names(const std::vector<album> &albums, std::string_view artist,
                                       std::size_t max_count = 3);

// Levenshtein distance between two UTF-8 strings in code points (an invalid byte counts as one), or any
// value above `limit` when the distance exceeds `limit`. Exposed for tests.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

}  // namespace itunes

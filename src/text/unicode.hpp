// The Unicode rules name matching needs, from utf8proc's tables and two generated tables
// (base_letters.cpp and invisible_names.cpp, written by scripts/gen-unicode-tables).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace text {

// Unicode simple case folding: one code point to one code point (CaseFolding.txt statuses C and S). utf8proc
// gives the full folding; where that spells a letter out ("ß" -> "ss"), the simple fold is the one code
// point that folds the same way, if any (ẞ -> ß), else the letter itself (ß, İ).
char32_t simple_fold(char32_t code_point);

// Appends the accent-free spelling of `code_point` for comparing names loosely: folded, decomposed with the
// marks dropped (é -> e), and, for letters without a decomposition, the base_letters spelling (ø -> o,
// ß -> ss, æ -> ae, þ -> th).
void append_base_letters(std::string &out, char32_t code_point);

struct base_letter {
  char32_t code_point;
  const char *spelling;  // UTF-8
};

// The generated table, sorted by code point.
extern const base_letter base_letters[];
extern const std::size_t base_letter_count;

// Normalization Form C (canonical composition): "e" + U+0301 becomes "é". Text that is not valid UTF-8 comes
// back unchanged, so it still compares byte for byte.
std::string to_nfc(std::string_view text);

// NFKC_Casefold: compatibility composition, full case folding, default-ignorable code points removed. Equal
// for "José" and "JOSE\u0301", "Lewis\u00a0Carroll" and "lewis carroll", "Mit\u200bski" and "MITSKI",
// "Straße" and "STRASSE". Invalid UTF-8 comes back unchanged.
std::string to_nfkc_casefold(std::string_view text);

// What a character looks like where a person reads a name.
enum class visibility {
  visible,
  space,      // white space: general categories Zs, Zl, Zp and the white-space controls (tab, line feed...)
  invisible,  // drawn as nothing: default-ignorable code points (U+200B ZERO WIDTH SPACE, U+00AD, U+FE0F...)
};
visibility visibility_of(char32_t code_point);

// "U+00A0 NO-BREAK SPACE": the code point and, for the characters of invisible_names, its Unicode name.
std::string describe_code_point(char32_t code_point);

struct character_name {
  char32_t code_point;
  const char *name;
};

// The generated names of the spaces, format characters and selectors, sorted by code point.
extern const character_name invisible_names[];
extern const std::size_t invisible_name_count;

}  // namespace text

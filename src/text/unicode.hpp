// The Unicode rules name matching needs, from utf8proc's tables and one generated table
// (base_letters.cpp, written by scripts/gen-unicode-tables).
#pragma once

#include <cstddef>
#include <string>

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

}  // namespace text

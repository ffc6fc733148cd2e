#include "text/unicode.hpp"

#include <utf8proc.h>

#include <algorithm>

#include "text/utf8.hpp"

namespace text {
namespace {

// Room for any full case folding or canonical decomposition of one code point (at most 18 in Unicode 15).
constexpr utf8proc_ssize_t max_expansion = 32;

// The full case folding of `code_point`; its length, or 0 when utf8proc refuses it.
utf8proc_ssize_t full_fold(char32_t code_point, utf8proc_int32_t (&out)[max_expansion]) {
  int boundclass = UTF8PROC_BOUNDCLASS_START;
  const utf8proc_ssize_t length = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(code_point), out,
                                                          max_expansion, UTF8PROC_CASEFOLD, &boundclass);
  return length > 0 && length <= max_expansion ? length : 0;
}

const char *base_spelling(char32_t code_point) {
  const base_letter *end = base_letters + base_letter_count;
  const base_letter *found =
      std::lower_bound(base_letters, end, code_point,
                       [](const base_letter &entry, char32_t key) { return entry.code_point < key; });
  return found != end && found->code_point == code_point ? found->spelling : nullptr;
}

}  // namespace

char32_t simple_fold(char32_t code_point) {
  if (code_point < 0x80) return code_point >= 'A' && code_point <= 'Z' ? code_point + 32 : code_point;
  if (code_point > 0x10FFFF) return code_point;
  utf8proc_int32_t folded[max_expansion];
  const utf8proc_ssize_t length = full_fold(code_point, folded);
  if (length == 1) return static_cast<char32_t>(folded[0]);
  if (length == 0) return code_point;
  // Full folding spells it out: the lowercase letter is its simple fold only if it folds the same way.
  const auto lower = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(code_point)));
  if (lower == code_point) return code_point;
  utf8proc_int32_t lower_folded[max_expansion];
  const utf8proc_ssize_t lower_length = full_fold(lower, lower_folded);
  return lower_length == length && std::equal(folded, folded + length, lower_folded) ? lower : code_point;
}

void append_base_letters(std::string &out, char32_t code_point) {
  if (code_point > 0x10FFFF) return;
  utf8proc_int32_t parts[max_expansion];
  int boundclass = UTF8PROC_BOUNDCLASS_START;
  const utf8proc_ssize_t length = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(simple_fold(code_point)), parts, max_expansion,
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK), &boundclass);
  if (length < 0 || length > max_expansion) {
    append_utf8(out, code_point);
    return;
  }
  for (utf8proc_ssize_t i = 0; i < length; ++i) {
    const char32_t part = simple_fold(static_cast<char32_t>(parts[i]));  // İ decomposes to a capital I
    const char *spelled = base_spelling(part);
    if (spelled != nullptr) {
      out += spelled;
    } else {
      append_utf8(out, part);
    }
  }
}

}  // namespace text

#include "text/unicode.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "text/escape.hpp"
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

// utf8proc_map over `text` with `options`; `text` itself when utf8proc refuses it (invalid UTF-8).
std::string map_text(std::string_view text, utf8proc_option_t options) {
  utf8proc_uint8_t *mapped = nullptr;
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(text.data()),
                   static_cast<utf8proc_ssize_t>(text.size()), &mapped, options);
  const std::unique_ptr<utf8proc_uint8_t, void (*)(void *)> owner(mapped, std::free);
  if (length < 0 || mapped == nullptr) return std::string(text);
  return std::string(reinterpret_cast<const char *>(mapped), static_cast<std::size_t>(length));
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

std::string to_nfc(std::string_view text) {
  if (is_ascii(text)) return std::string(text);  // ASCII is its own NFC: most names, no allocation by utf8proc
  return map_text(text, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
}

std::string to_nfkc_casefold(std::string_view text) {
  if (is_ascii(text)) {
    std::string folded(text);
    for (char &c : folded)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return folded;
  }
  return map_text(text, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                                        UTF8PROC_CASEFOLD | UTF8PROC_IGNORE));
}

visibility visibility_of(char32_t code_point) {
  if (code_point == ' ' || (code_point >= '\t' && code_point <= '\r') || code_point == 0x85)
    return visibility::space;
  if (code_point < 0x80 || code_point > 0x10FFFF) return visibility::visible;
  const auto point = static_cast<utf8proc_int32_t>(code_point);
  switch (utf8proc_category(point)) {
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      return visibility::space;
    default:
      break;
  }
  return utf8proc_get_property(point)->ignorable ? visibility::invisible : visibility::visible;
}

std::string describe_code_point(char32_t code_point) {
  std::string text = "U+" + hex(code_point, code_point > 0xFFFFF ? 6 : code_point > 0xFFFF ? 5 : 4);
  const character_name *end = invisible_names + invisible_name_count;
  const character_name *found =
      std::lower_bound(invisible_names, end, code_point,
                       [](const character_name &entry, char32_t key) { return entry.code_point < key; });
  if (found != end && found->code_point == code_point) {
    text += ' ';
    text += found->name;
  }
  return text;
}

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

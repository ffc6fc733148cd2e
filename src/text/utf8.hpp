// UTF-8 decoding shared by the parser's callers, the option checks, the output and the matching rules.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace text {

struct utf8_step {
  char32_t code_point;  // meaningful only when valid
  std::size_t length;   // bytes consumed; for an invalid sequence, its maximal valid prefix (at least 1)
  bool valid;
};

// Decodes the sequence at text[at] (at < text.size()) following Table 3-7 of the Unicode standard, which
// excludes overlong forms, surrogates and code points above U+10FFFF. An invalid sequence consumes its
// maximal valid prefix: the unit the standard recommends replacing with one U+FFFD.
utf8_step decode_utf8(std::string_view text, std::size_t at);

// True when all of `text` is valid UTF-8 by the same rules. Fast on ASCII: eight bytes at a time.
bool is_valid_utf8(std::string_view text);

// Appends `code_point` (at most U+10FFFF) encoded as UTF-8.
void append_utf8(std::string &out, char32_t code_point);

}  // namespace text

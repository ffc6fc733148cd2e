// Showing untrusted text safely: in messages (quoted, escaped, cut short) and as JSON string literals.
#pragma once

#include <string>
#include <string_view>

namespace text {

// C0 and C1 control characters (U+0000..U+001F, U+007F..U+009F).
bool is_control(char32_t code_point);

// `value` in `digits` uppercase hexadecimal digits ("00E9").
std::string hex(unsigned value, int digits);

// Quotes untrusted text for an error message: printable text stays readable, while control characters,
// invalid bytes and the quote itself are escaped so nothing can disturb the terminal. Long text is cut after
// 60 characters with "...".
std::string quote(std::string_view text, char quote_char);

// Appends `text` to `out` as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void append_json_string(std::string &out, std::string_view text);

}  // namespace text

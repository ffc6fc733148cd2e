#include "text/escape.hpp"

#include "text/utf8.hpp"

namespace text {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

void append_unicode_escape(std::string &out, char32_t code_point) {
  static const char digits[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += digits[(code_point >> shift) & 0xF];
}

}  // namespace

bool is_control(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
}

std::string hex(unsigned value, int digits) {
  static const char digit_chars[] = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4)
    out[static_cast<std::size_t>(i)] = digit_chars[value & 0xF];
  return out;
}

// Quotes untrusted text for an error message: printable text stays readable, while control characters,
// invalid bytes and the quote itself are escaped so nothing can disturb the terminal. Long text is cut after
// 60 characters with "...".
std::string quote(std::string_view text, char quote_char) {
  constexpr std::size_t max_chars = 60;
  std::string out(1, quote_char);
  std::size_t chars = 0;
  for (std::size_t at = 0; at < text.size(); ++chars) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    const utf8_step step = decode_utf8(text, at);
    if (!step.valid) {
      for (std::size_t i = 0; i < step.length; ++i) {
        out += "\\x" + hex(static_cast<unsigned char>(text[at + i]), 2);
      }
    } else if (step.code_point == static_cast<char32_t>(quote_char) || step.code_point == '\\') {
      out += '\\';
      out += static_cast<char>(step.code_point);
    } else if (step.code_point == '\n') {
      out += "\\n";
    } else if (step.code_point == '\t') {
      out += "\\t";
    } else if (step.code_point == '\r') {
      out += "\\r";
    } else if (is_control(step.code_point)) {
      out += step.code_point < 0x80 ? "\\x" + hex(step.code_point, 2) : "\\u" + hex(step.code_point, 4);
    } else {
      out.append(text.substr(at, step.length));
    }
    at += step.length;
  }
  out += quote_char;
  return out;
}

void append_json_string(std::string &out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  const char *data = text.data();
  std::size_t run_start = 0;  // bytes from here up to `at` are copied as they are
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(data[at]);
    if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') {
      ++at;
      continue;
    }
    if (byte >= 0x80) {
      const utf8_step step = decode_utf8(text, at);
      // C1 controls and the line and paragraph separators are valid JSON but unsafe for terminals and for
      // JavaScript; escape them.
      const bool escape =
          step.valid && (step.code_point <= 0x9F || step.code_point == 0x2028 || step.code_point == 0x2029);
      if (step.valid && !escape) {
        at += step.length;
        continue;
      }
      out.append(data + run_start, at - run_start);
      if (escape) {
        append_unicode_escape(out, step.code_point);
      } else {
        out += replacement_character;
      }
      at += step.length;
      run_start = at;
      continue;
    }
    out.append(data + run_start, at - run_start);
    switch (byte) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        append_unicode_escape(out, byte);
        break;
    }
    ++at;
    run_start = at;
  }
  out.append(data + run_start, text.size() - run_start);
  out += '"';
}

}  // namespace text

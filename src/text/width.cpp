#include "text/width.hpp"

#include <utf8proc.h>

#include "text/escape.hpp"
#include "text/utf8.hpp"

namespace text {

std::size_t width_counter::add(char32_t code_point) {
  const auto cp = static_cast<utf8proc_int32_t>(code_point);
  const bool starts_cluster =
      !started_ || utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(previous_), cp, &state_);
  started_ = true;
  previous_ = code_point;
  if (!starts_cluster) {
    // VARIATION SELECTOR-16 asks for the emoji presentation, which terminals draw two columns wide
    // ("❤️"): a narrow cluster it belongs to widens by one.
    if (code_point == 0xFE0F && cluster_width_ == 1) {
      cluster_width_ = 2;
      return 1;
    }
    return 0;
  }
  if (is_control(code_point)) {
    cluster_width_ = 0;
    return 0;
  }
  const bool regional_indicator = code_point >= 0x1F1E6 && code_point <= 0x1F1FF;  // a pair is one flag
  const int width = regional_indicator ? 2 : utf8proc_charwidth(cp);
  cluster_width_ = width > 0 ? static_cast<std::size_t>(width) : 0;
  return cluster_width_;
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  width_counter counter;
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte >= 0x20 && byte < 0x7F &&
        (at + 1 == text.size() || static_cast<unsigned char>(text[at + 1]) < 0x80)) {
      // Printable ASCII followed by ASCII: one column, and a cluster of its own.
      ++width;
      counter.reset();
      ++at;
      continue;
    }
    const utf8_step step = decode_utf8(text, at);
    if (step.valid) {
      width += counter.add(step.code_point);
    } else {
      ++width;
      counter.reset();
    }
    at += step.length;
  }
  return width;
}

}  // namespace text

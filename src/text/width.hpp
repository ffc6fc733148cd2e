// How many terminal columns text takes, from utf8proc's Unicode tables: a grapheme cluster (a letter with
// its combining marks, an emoji with its modifiers and joiners) takes the width of its first code point,
// wide East Asian characters and emoji two columns, controls none; a cluster with VARIATION SELECTOR-16
// (emoji presentation, "❤️") and a flag (two regional indicators) take two.
#pragma once

#include <cstddef>
#include <string_view>

namespace text {

// Columns of UTF-8 text; an invalid byte counts one column (it shows as one replacement character).
std::size_t display_width(std::string_view text);

// Columns each code point of a text adds, fed in order: the width of one that starts a grapheme cluster, 0
// for the rest of its cluster.
class width_counter {
 public:
  std::size_t add(char32_t code_point);
  void reset() {
    started_ = false;
    state_ = 0;
    cluster_width_ = 0;
  }

 private:
  char32_t previous_ = 0;
  int state_ = 0;                  // utf8proc's grapheme break state
  std::size_t cluster_width_ = 0;  // of the cluster being read
  bool started_ = false;
};

}  // namespace text

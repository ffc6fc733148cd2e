// A long list of short strings held in one block: the artist names of a run. A million names of about 20
// bytes cost their text plus 8 bytes each, where a std::vector<std::string> costs about 70 bytes each on top
// of the text (the string object and a heap block of its own per name).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/index_iterator.hpp"

namespace text {

// A list of strings with value semantics. Copies share one block until one of them changes, so a run's
// plan, its aggregator and its report can all hold the names without a second copy of them.
class name_list {
 public:
  name_list() = default;
  name_list(std::initializer_list<std::string_view> names);
  name_list(const std::vector<std::string> &names);  // NOLINT: implicit, so tests can compare and assign

  std::size_t size() const { return data_ ? data_->ends.size() : 0; }
  bool empty() const { return size() == 0; }
  // Valid until this list (or the copy it came from) changes.
  const std::string_view operator[](std::size_t index) const;  // const: `list[i] = x` does not compile

  void push_back(std::string_view name);
  void clear() { data_.reset(); }
  // Keeps the first occurrence of each name, in order, in place (no second copy of the text).
  void remove_duplicates();
  std::vector<std::string> to_vector() const;

  using const_iterator = text::index_iterator<name_list, std::string_view>;
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  friend bool operator==(const name_list &a, const name_list &b);
  friend bool operator!=(const name_list &a, const name_list &b) { return !(a == b); }

 private:
  struct block {
    std::string text;                // every name, back to back
    std::vector<std::size_t> ends;  // where each name ends in `text`
  };
  std::shared_ptr<block> data_;

  block &own();  // the block, copied first when another list shares it
  static std::string_view name_at(const block &data, std::size_t index);
};

}  // namespace text

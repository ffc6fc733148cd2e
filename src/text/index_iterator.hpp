// A forward iterator over a container that hands out its elements by value through operator[] (the element
// is made on demand, as name_list's views and record_list's records are).
#pragma once

#include <cstddef>
#include <iterator>

namespace text {

template <typename List, typename Value>
class index_iterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = Value;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = Value;

  index_iterator(const List *list, std::size_t index) : list_(list), index_(index) {}
  Value operator*() const { return (*list_)[index_]; }
  index_iterator &operator++() {
    ++index_;
    return *this;
  }
  bool operator==(const index_iterator &other) const { return index_ == other.index_; }
  bool operator!=(const index_iterator &other) const { return index_ != other.index_; }

 private:
  const List *list_;
  std::size_t index_;
};

}  // namespace text

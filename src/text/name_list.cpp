#include "text/name_list.hpp"

#include <cstdint>
#include <cstring>
#include <functional>

namespace text {

name_list::name_list(std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) push_back(name);
}

name_list::name_list(const std::vector<std::string> &names) {
  for (const std::string &name : names) push_back(name);
}

std::string_view name_list::name_at(const block &data, std::size_t index) {
  const std::size_t begin = index == 0 ? 0 : data.ends[index - 1];
  return std::string_view(data.text).substr(begin, data.ends[index] - begin);
}

const std::string_view name_list::operator[](std::size_t index) const {
  return name_at(*data_, index);
}

name_list::block &name_list::own() {
  if (!data_) {
    data_ = std::make_shared<block>();
  } else if (data_.use_count() > 1) {
    data_ = std::make_shared<block>(*data_);
  }
  return *data_;
}

void name_list::push_back(std::string_view name) {
  block &data = own();
  data.text.append(name);
  data.ends.push_back(data.text.size());
}

std::vector<std::string> name_list::to_vector() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (std::string_view name : *this) out.emplace_back(name);
  return out;
}

void name_list::remove_duplicates() {
  if (size() < 2) return;
  block &data = own();
  // Open addressing over the indices of the names kept so far (4 bytes a slot at most half full): a
  // std::unordered_set of a million names would cost more than the names themselves.
  std::size_t capacity = 2;
  while (capacity < data.ends.size() * 2) capacity *= 2;
  constexpr std::uint32_t empty_slot = UINT32_MAX;
  std::vector<std::uint32_t> slots(capacity, empty_slot);
  const std::hash<std::string_view> hash;
  std::size_t kept = 0, written = 0, read_from = 0;
  for (std::size_t i = 0; i < data.ends.size(); ++i) {
    const std::size_t end = data.ends[i];
    const std::string_view name(data.text.data() + read_from, end - read_from);
    read_from = end;
    std::size_t slot = hash(name) & (capacity - 1);
    bool seen = false;
    for (; slots[slot] != empty_slot; slot = (slot + 1) & (capacity - 1)) {
      if (name_at(data, slots[slot]) == name) {  // names before `kept` already sit where they stay
        seen = true;
        break;
      }
    }
    if (seen) continue;
    // Kept names move down over the dropped ones; a name never moves up, so none is overwritten unread.
    std::memmove(data.text.data() + written, name.data(), name.size());
    written += name.size();
    data.ends[kept] = written;
    slots[slot] = static_cast<std::uint32_t>(kept);
    ++kept;
  }
  data.text.resize(written);
  data.ends.resize(kept);
}

bool operator==(const name_list &a, const name_list &b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace text

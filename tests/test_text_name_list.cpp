// Tests of src/text/name_list: many names in one block, shared by copies, duplicates removed in place.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "text/name_list.hpp"

TEST_SUITE("name list") {
  TEST_CASE("names keep their bytes and order, empty and multi-byte ones included") {
    text::name_list names;
    CHECK(names.empty());
    names.push_back("Björk");
    names.push_back("");
    names.push_back(std::string("a\0b", 3));
    names.push_back("坂本龍一");
    REQUIRE(names.size() == 4);
    CHECK(names[0] == "Björk");
    CHECK(names[1].empty());
    CHECK(names[2] == std::string("a\0b", 3));
    CHECK(names[3] == "坂本龍一");
    std::vector<std::string> seen;
    for (std::string_view name : names) seen.emplace_back(name);
    CHECK(seen == names.to_vector());
  }

  TEST_CASE("a copy shares the names until one of them changes") {
    text::name_list original{"A", "B"};
    const text::name_list copy = original;
    CHECK(copy[0].data() == original[0].data());  // one block, not two
    original.push_back("C");
    CHECK(original.size() == 3);
    CHECK(copy.size() == 2);
    CHECK(copy == text::name_list{"A", "B"});
    CHECK(original == std::vector<std::string>{"A", "B", "C"});
  }

  TEST_CASE("duplicates go, the first occurrence of each stays where it was") {
    text::name_list names{"Adele", "Björk", "Adele", "adele", "Cher", "Björk", "", "", "Cher"};
    names.remove_duplicates();
    CHECK(names == std::vector<std::string>{"Adele", "Björk", "adele", "Cher", ""});
    // Names that are prefixes of one another are different names.
    text::name_list prefixes{"ab", "a", "abc", "a", "ab"};
    prefixes.remove_duplicates();
    CHECK(prefixes == std::vector<std::string>{"ab", "a", "abc"});
  }

  TEST_CASE("removing duplicates from a copy leaves the original alone") {
    const text::name_list original{"x", "x", "y"};
    text::name_list copy = original;
    copy.remove_duplicates();
    CHECK(copy == std::vector<std::string>{"x", "y"});
    CHECK(original == std::vector<std::string>{"x", "x", "y"});
  }

  TEST_CASE("many names with many duplicates agree with a plain first-seen filter") {
    text::name_list names;
    std::vector<std::string> expected;
    for (int i = 0; i < 20000; ++i) {
      const std::string name = "artist " + std::to_string((i * 7919) % 5003);
      names.push_back(name);
      bool seen = false;
      for (const std::string &kept : expected) seen = seen || kept == name;
      if (!seen) expected.push_back(name);
      if (expected.size() == 5003) break;
    }
    names.remove_duplicates();
    CHECK(names.size() == expected.size());
    CHECK(names == expected);
  }
}

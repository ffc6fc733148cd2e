// Tests of src/text: UTF-8 decoding and validation, display width, quoting and escaping, Unicode folding.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "text/escape.hpp"
#include "text/unicode.hpp"
#include "text/utf8.hpp"
#include "text/width.hpp"

TEST_SUITE("utf8") {
  TEST_CASE("is_valid_utf8 agrees with the decoder on every kind of sequence, inside and after ASCII runs") {
    const std::string ascii = "0123456789abcdef";  // two whole 8-byte words before the interesting byte
    CHECK(text::is_valid_utf8(""));
    CHECK(text::is_valid_utf8(ascii));
    CHECK(text::is_valid_utf8(ascii + "Beyoncé 坂本龍一 🎵"));
    for (const std::string bad : {"\xff", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                  "\xe6\x9c", "\x80"}) {
      CAPTURE(bad);
      CHECK_FALSE(text::is_valid_utf8(bad));
      CHECK_FALSE(text::is_valid_utf8(ascii + bad));
      CHECK_FALSE(text::is_valid_utf8(ascii + bad + ascii));
    }
  }

  TEST_CASE("is_valid_utf8 reads no byte past the text, whatever its length") {
    // An exact-size heap block (a std::string has its terminator after the end): under AddressSanitizer, a
    // read one past the end in the 32- and 8-byte ASCII steps or in the decoder is an error.
    for (std::size_t length = 0; length <= 100; ++length) {
      CAPTURE(length);
      auto ascii = std::make_unique<char[]>(length);
      std::memset(ascii.get(), 'a', length);
      CHECK(text::is_valid_utf8({ascii.get(), length}));
      if (length < 2) continue;
      auto ending_in_e_acute = std::make_unique<char[]>(length);
      std::memset(ending_in_e_acute.get(), 'a', length);
      std::memcpy(ending_in_e_acute.get() + length - 2, "\xc3\xa9", 2);
      CHECK(text::is_valid_utf8({ending_in_e_acute.get(), length}));
      ending_in_e_acute[length - 1] = 'a';  // a lead byte followed by no continuation byte
      CHECK_FALSE(text::is_valid_utf8({ending_in_e_acute.get(), length}));
      ending_in_e_acute[length - 2] = 'a';
      ending_in_e_acute[length - 1] = '\xc3';  // a lead byte cut off by the end
      CHECK_FALSE(text::is_valid_utf8({ending_in_e_acute.get(), length}));
    }
  }
}


TEST_SUITE("display width") {
  TEST_CASE("display width counts wide characters twice and combining marks not at all") {
    CHECK(text::display_width("") == 0);
    CHECK(text::display_width("Adele") == 5);
    CHECK(text::display_width("Beyoncé") == 7);
    CHECK(text::display_width("Beyonce\xCC\x81") == 7);  // e + COMBINING ACUTE ACCENT
    CHECK(text::display_width("坂本龍一") == 8);
    CHECK(text::display_width("한국") == 4);
    CHECK(text::display_width("ｱ") == 1);                                 // halfwidth katakana
    CHECK(text::display_width("Ａ") == 2);                                // fullwidth A
    CHECK(text::display_width("\xF0\x9F\x8E\xB8") == 2);                  // guitar emoji
    CHECK(text::display_width("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD") == 2);  // thumbs up, skin tone modifier
    CHECK(text::display_width("a\xE2\x80\x8B"
                             "b") == 2);         // zero width space
    CHECK(text::display_width("\xFF\xFE") == 2);  // each invalid byte shows as one replacement character
  }

  TEST_CASE("a grapheme cluster takes the width of its first code point") {
    CHECK(text::display_width("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x8E\xA4") == 2);  // woman, ZWJ, microphone
    CHECK(text::display_width("\xE1\x84\x80\xE1\x85\xA1") == 2);  // Hangul jamo L + V: one syllable
    CHECK(text::display_width("e\xCC\x81\xCC\x81x") == 2);           // two combining marks on one letter
    text::width_counter counter;
    CHECK(counter.add('e') == 1);
    CHECK(counter.add(0x0301) == 0);
    CHECK(counter.add(0x5742) == 2);  // 坂
  }

  TEST_CASE("emoji sequences, emoji presentation and flags are two columns, as terminals draw them") {
    // woman, ZWJ, woman, ZWJ, girl: one family
    CHECK(text::display_width("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7") == 2);
    CHECK(text::display_width("\xE2\x9D\xA4\xEF\xB8\x8F") == 2);  // HEAVY BLACK HEART + VARIATION SELECTOR-16
    CHECK(text::display_width("\xE2\x9D\xA4") == 1);                  // the heart alone: text presentation
    CHECK(text::display_width("I \xE2\x9D\xA4\xEF\xB8\x8F NY") == 7);
    CHECK(text::display_width("\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5") == 2);  // regional indicators J P: a flag
    CHECK(text::display_width("\xF0\x9F\x8E\xB8\xEF\xB8\x8F") == 2);  // already wide: stays two
  }
}

TEST_SUITE("escaping") {
  TEST_CASE("quote escapes what could disturb a terminal and cuts long text") {
    CHECK(text::quote("Lorde", '\'') == "'Lorde'");
    CHECK(text::quote("it's", '\'') == "'it\\'s'");
    CHECK(text::quote("a\nb\tc\x01", '"') == "\"a\\nb\\tc\\x01\"");
    CHECK(text::quote("\xFF", '"') == "\"\\xFF\"");
    CHECK(text::quote("\xC2\x85", '"') == "\"\\u0085\"");  // a C1 control
    CHECK(text::quote(std::string(70, 'x'), '"') == "\"" + std::string(60, 'x') + "...\"");
  }

  TEST_CASE("JSON strings escape controls, quotes and the line separators, and replace invalid bytes") {
    std::string out;
    text::append_json_string(out, "a\"b\\c\n\x01\xE2\x80\xA8\xFF");
    CHECK(out == "\"a\\\"b\\\\c\\n\\u0001\\u2028\xEF\xBF\xBD\"");
  }
}

TEST_SUITE("unicode") {
  TEST_CASE("simple folding keeps one code point: the one that folds the same way, else the letter itself") {
    CHECK(text::simple_fold('A') == 'a');
    CHECK(text::simple_fold(0x00DF) == 0x00DF);  // ß: full folding gives "ss"
    CHECK(text::simple_fold(0x1E9E) == 0x00DF);  // ẞ
    CHECK(text::simple_fold(0x0130) == 0x0130);  // İ: no simple fold
    CHECK(text::simple_fold(0x03C2) == 0x03C3);  // final sigma
    CHECK(text::simple_fold(0x13F8) == 0x13F0);  // Cherokee small ye folds to the capital
    CHECK(text::simple_fold(0x1F88) == 0x1F80);  // Greek with prosgegrammeni
    CHECK(text::simple_fold(0x110000) == 0x110000);  // beyond Unicode: itself
  }

  TEST_CASE("base letters drop accents and spell out the letters without a decomposition") {
    auto base = [](char32_t c) {
      std::string out;
      text::append_base_letters(out, c);
      return out;
    };
    CHECK(base(0x00E9) == "e");    // é, decomposed
    CHECK(base(0x00C9) == "e");    // É, folded first
    CHECK(base(0x00F8) == "o");    // ø, from the generated table
    CHECK(base(0x0142) == "l");    // ł
    CHECK(base(0x0111) == "d");    // đ
    CHECK(base(0x00DF) == "ss");   // ß
    CHECK(base(0x00FE) == "th");   // þ
    CHECK(base(0x0301).empty());   // a combining mark alone
    CHECK(base(0x5742) == "\xE5\x9D\x82");  // 坂 stays
  }

  TEST_CASE("the generated table is sorted, as its binary search needs") {
    REQUIRE(text::base_letter_count > 100);
    for (std::size_t i = 1; i < text::base_letter_count; ++i)
      CHECK(text::base_letters[i - 1].code_point < text::base_letters[i].code_point);
  }

  TEST_CASE("NFC composes, NFKC_Casefold also folds case and compatibility forms and drops ignorables") {
    CHECK(text::to_nfc("Jose\xcc\x81") == "Jos\xc3\xa9");
    CHECK(text::to_nfc("Lorde") == "Lorde");
    CHECK(text::to_nfc("Lewis\u00a0Carroll") == "Lewis\u00a0Carroll");  // compatibility: kept
    CHECK(text::to_nfc("A\xff") == "A\xff");                            // invalid: unchanged
    CHECK(text::to_nfkc_casefold("JOSE\xcc\x81") == "jos\xc3\xa9");
    CHECK(text::to_nfkc_casefold("Lewis\u00a0Carroll") == "lewis carroll");
    CHECK(text::to_nfkc_casefold("Mit\u200bski") == "mitski");
    CHECK(text::to_nfkc_casefold("Stra\u00dfe") == "strasse");
    CHECK(text::to_nfkc_casefold("A\xff") == "A\xff");
  }

  TEST_CASE("spaces and invisible characters are told apart from visible ones, and named") {
    CHECK(text::visibility_of(' ') == text::visibility::space);
    CHECK(text::visibility_of('\t') == text::visibility::space);
    CHECK(text::visibility_of(0x00A0) == text::visibility::space);
    CHECK(text::visibility_of(0x3000) == text::visibility::space);
    CHECK(text::visibility_of(0x2028) == text::visibility::space);
    CHECK(text::visibility_of(0x200B) == text::visibility::invisible);
    CHECK(text::visibility_of(0x00AD) == text::visibility::invisible);
    CHECK(text::visibility_of(0xFE0F) == text::visibility::invisible);
    CHECK(text::visibility_of(0xFEFF) == text::visibility::invisible);
    CHECK(text::visibility_of('a') == text::visibility::visible);
    CHECK(text::visibility_of(0x0301) == text::visibility::visible);  // a mark shows on its letter
    CHECK(text::visibility_of(0x0600) == text::visibility::visible);  // a format character that is drawn
    CHECK(text::describe_code_point(0x00A0) == "U+00A0 NO-BREAK SPACE");
    CHECK(text::describe_code_point(0x200B) == "U+200B ZERO WIDTH SPACE");
    CHECK(text::describe_code_point(0xFE0F) == "U+FE0F VARIATION SELECTOR-16");
    CHECK(text::describe_code_point(0xE0100) == "U+E0100 VARIATION SELECTOR-17");
    CHECK(text::describe_code_point('\t') == "U+0009");  // controls have no name
    REQUIRE(text::invisible_name_count > 100);
    for (std::size_t i = 1; i < text::invisible_name_count; ++i)
      CHECK(text::invisible_names[i - 1].code_point < text::invisible_names[i].code_point);
  }
}

#include "itunes/query.hpp"

#include <charconv>
#include <cstddef>

namespace itunes {

namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

// Apple's unreserved set. Written out rather than std::isalnum so that the locale can never widen it.
bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == '*';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Appends the encoding of `text` to `out`, which the caller has reserved.
void append_encoded(std::string &out, std::string_view text) {
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex_digits[c >> 4]);
      out.push_back(hex_digits[c & 0x0F]);
    }
  }
}

std::size_t encoded_size(std::string_view text) {
  std::size_t size = 0;
  for (char ch : text) size += is_unreserved(static_cast<unsigned char>(ch)) ? 1 : 3;
  return size;
}

}  // namespace

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(encoded_size(text));
  append_encoded(out, text);
  return out;
}

bool percent_decode(std::string_view text, std::string &out) {
  out.clear();
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else {
      if (text.size() - i < 3) return false;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return false;
      out.push_back(static_cast<char>((high << 4) | low));
      i += 2;
    }
  }
  return true;
}

std::string build_query_url(std::string_view base_url, std::string_view term, const query_params &params) {
  char limit[16];
  const auto limit_end = std::to_chars(limit, limit + sizeof limit, params.limit).ptr;
  const std::string_view limit_text(limit, static_cast<std::size_t>(limit_end - limit));

  // Sizing first keeps this to one allocation: a run builds one URL per artist.
  std::size_t size =
      base_url.size() + 1 + 5 + encoded_size(term) + 8 + encoded_size(params.entity) + 7 + limit_text.size();
  if (!params.sort.empty()) size += 6 + encoded_size(params.sort);
  if (!params.country.empty()) size += 9 + encoded_size(params.country);

  std::string url;
  url.reserve(size);
  url.append(base_url);
  url.push_back(base_url.find('?') == std::string_view::npos ? '?' : '&');
  url.append("term=");
  append_encoded(url, term);
  url.append("&entity=");
  append_encoded(url, params.entity);
  url.append("&limit=");
  url.append(limit_text);
  if (!params.sort.empty()) {
    url.append("&sort=");
    append_encoded(url, params.sort);
  }
  if (!params.country.empty()) {
    url.append("&country=");
    append_encoded(url, params.country);
  }
  return url;
}

}  // namespace itunes

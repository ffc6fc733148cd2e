#include "engine/url.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace engine {
namespace {

struct url_deleter {
  void operator()(CURLU *url) const noexcept { curl_url_cleanup(url); }
};
struct text_deleter {
  void operator()(char *text) const noexcept { curl_free(text); }
};

using url_handle = std::unique_ptr<CURLU, url_deleter>;

url_handle parse_url(const std::string &url) {
  url_handle handle(curl_url());
  if (handle && curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    handle.reset();
  return handle;
}

// One part of `url`, or empty. Any scheme is accepted so that a bad one is reported by the caller, not here.
std::string url_part(const std::string &url, CURLUPart part) {
  url_handle handle = parse_url(url);
  if (!handle) return {};
  char *raw = nullptr;
  if (curl_url_get(handle.get(), part, &raw, 0) != CURLUE_OK) return {};
  std::unique_ptr<char, text_deleter> text(raw);
  std::string value(text.get());
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return value;
}

bool has_part(CURLU *url, CURLUPart part) {
  char *raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK) return false;
  curl_free(raw);
  return true;
}

}  // namespace

std::string search_endpoint_problem(const std::string &url) {
  // libcurl reads "https:///search" as the host "search"; the user meant a path without a host.
  const std::size_t authority = url.find("://");
  if (authority != std::string::npos &&
      (authority + 3 == url.size() || url.find_first_of("/?#", authority + 3) == authority + 3))
    return "has no host";
  if (std::count(url.begin(), url.end(), '[') != std::count(url.begin(), url.end(), ']'))
    return "has unbalanced brackets";
  url_handle handle(curl_url());
  if (!handle) return "cannot be parsed (out of memory)";
  const CURLUcode parsed = curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (parsed != CURLUE_OK) return std::string("is not a valid URL (") + curl_url_strerror(parsed) + ")";
  // Textually: libcurl drops an empty fragment, but the name appended after it would still be cut off.
  if (url.find('#') != std::string::npos) return "has a fragment (#...), which is never sent";
  char *raw = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_PORT, &raw, 0) == CURLUE_OK) {
    const std::string port(std::unique_ptr<char, text_deleter>(raw).get());
    if (port == "0") return "has port 0, where no server listens";
  }
  if (curl_url_get(handle.get(), CURLUPART_QUERY, &raw, 0) == CURLUE_OK) {
    const std::string query(std::unique_ptr<char, text_deleter>(raw).get());
    for (std::size_t start = 0; start <= query.size();) {
      std::size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      const std::string key = query.substr(start, std::min(query.find('=', start), end) - start);
      if (key == "term") return "already has a term parameter (artistfetch adds the name as term)";
      start = end + 1;
    }
  }
  return {};
}

std::string without_credentials(const std::string &url) {
  url_handle handle = parse_url(url);
  if (!handle) return url;
  const CURLUPart parts[] = {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS};
  bool any = false;
  for (CURLUPart part : parts) {
    if (!has_part(handle.get(), part)) continue;
    any = true;
    curl_url_set(handle.get(), part, nullptr, 0);
  }
  if (!any) return url;  // untouched: libcurl's rewriting could change an entry's key
  char *raw = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_URL, &raw, 0) != CURLUE_OK) return url;
  std::unique_ptr<char, text_deleter> text(raw);
  return text.get();
}

std::string url_host(const std::string &url) {
  std::string host = url_part(url, CURLUPART_HOST);
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

std::string url_scheme(const std::string &url) {
  return url_part(url, CURLUPART_SCHEME);
}

bool is_https_url(const std::string &url) {
  return url_scheme(url) == "https";
}

bool is_itunes_host(const std::string &url) {
  return url_host(url) == "itunes.apple.com";
}

}  // namespace engine

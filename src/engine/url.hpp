// What the engine needs to know about a URL, read by libcurl's own parser (curl_url) so that it agrees with
// the transfers about every corner of the syntax.
#pragma once

#include <string>

namespace engine {

// The host of an http(s) URL, lowercased, without port, credentials or a final dot; an IPv6 literal keeps
// its brackets. Empty when `url` does not parse or has no host.
std::string url_host(const std::string &url);

// The scheme, lowercased ("http", "https"); empty when `url` does not parse.
std::string url_scheme(const std::string &url);

// Whether `url` is https (the scheme in any case, as --base-url accepts it).
bool is_https_url(const std::string &url);

// `url` without a user name, password or login options ("https://user:pass@host/x" gives
// "https://host/x"); `url` itself when it has none. For what is written to disk (the cache).
std::string without_credentials(const std::string &url);

// True for the real API's host, whose documented throttling changes the defaults (403 retried, 20 calls/min).
bool is_itunes_host(const std::string &url);

}  // namespace engine

#include "engine/request.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <new>

#include "engine/stop_signals.hpp"
#include "engine/version.hpp"

namespace engine {
namespace {

constexpr std::size_t keep_capacity = 1 << 20;  // a buffer that grew past this is released between attempts

size_t on_body(char *data, size_t size, size_t count, void *userp) noexcept {
  auto *buffer = static_cast<response_buffer *>(userp);
  const size_t bytes = size * count;
  // MAXFILESIZE only stops bodies that announce their length; chunked and close-delimited ones stop here.
  if (static_cast<long long>(buffer->body.size() + bytes) > buffer->max_body) {
    buffer->too_large = true;
    return CURL_WRITEFUNC_ERROR;
  }
  try {
    if (buffer->body.empty()) {
      curl_off_t announced = -1;
      if (curl_easy_getinfo(buffer->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
          announced > 0)
        buffer->body.reserve(static_cast<size_t>(std::min<curl_off_t>(announced, buffer->max_body)));
    }
    buffer->body.append(data, bytes);
  } catch (const std::bad_alloc &) {  // that artist's error, not the run's end: its body is what is large
    buffer->out_of_memory = true;
    return CURL_WRITEFUNC_ERROR;
  }
  return bytes;
}

// A failure of the connection itself, on one that an earlier request opened, with no header byte received.
// A request on a new connection may have reached the server's processing, so it follows the retry rules.
bool died_unprocessed(CURL *easy, CURLcode code) {
  switch (code) {
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      break;
    default:
      return false;
  }
  long header_bytes = -1;
  long new_connections = -1;
  return curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_bytes) == CURLE_OK && header_bytes == 0 &&
         curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &new_connections) == CURLE_OK && new_connections == 0;
}

// libcurl's own socket(), plus a note of why it failed, which libcurl 7.88 drops (CURLINFO_OS_ERRNO stays 0).
curl_socket_t open_socket(void *userp, curlsocktype, struct curl_sockaddr *address) noexcept {
  const curl_socket_t fd = socket(address->family, address->socktype, address->protocol);
  if (fd == CURL_SOCKET_BAD) static_cast<response_buffer *>(userp)->socket_errno = errno;
  return fd;
}

// The transfer stopped at a redirect whose target is plain http (libcurl 7.88 has made it the effective URL).
bool redirected_to_http(CURL *easy) {
  long redirects = 0;
  char *target = nullptr;
  return curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects) == CURLE_OK && redirects > 0 &&
         curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &target) == CURLE_OK && target != nullptr &&
         curl_strnequal(target, "http://", 7);
}

long to_ms(double seconds) {
  return static_cast<long>(std::min(seconds * 1000.0, 2147483647.0));
}

}  // namespace

void response_buffer::reset() {
  if (body.capacity() > keep_capacity) std::string().swap(body);
  body.clear();
  too_large = false;
  out_of_memory = false;
  socket_errno = 0;
  error[0] = '\0';
}

void configure_easy(CURL *easy, const request_settings &settings, bool https, response_buffer &buffer) {
  buffer.easy = easy;
  buffer.https = https;
  buffer.max_body = settings.max_body;
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &buffer);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, buffer.error);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &buffer);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "artistfetch/" ARTISTFETCH_VERSION);
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, to_ms(settings.timeout_s));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, to_ms(settings.connect_timeout_s));
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, settings.stall_min_bytes_per_s);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                   std::max(1L, static_cast<long>(settings.stall_timeout_s + 0.5)));
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  // An answer from an https server must not be swapped for one anyone on the path can forge or read.
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(settings.max_body));
  // Without its copy of the path, libcurl would trust the system's CAs instead of the user's: never that.
  if (!settings.cacert.empty() &&
      curl_easy_setopt(easy, CURLOPT_CAINFO, settings.cacert.c_str()) == CURLE_OUT_OF_MEMORY)
    throw std::bad_alloc();
}

void set_request_url(CURL *easy, const std::string &url, bool pipewait) {
  // libcurl copies the URL; without the copy the handle would be left with none, or the previous artist's.
  if (curl_easy_setopt(easy, CURLOPT_URL, url.c_str()) == CURLE_OUT_OF_MEMORY) throw std::bad_alloc();
  // Waiting for a connection's protocol pays off only where HTTP/2 can multiplex: over TLS.
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, pipewait ? 1L : 0L);
}

attempt_result read_attempt(CURL *easy, CURLcode code, const response_buffer &buffer,
                            double max_retry_after_s) {
  attempt_result attempt;
  attempt.code = code;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &attempt.http_status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK)
    attempt.retry_after_s = clamp_retry_after(retry_after, max_retry_after_s);
  if (code == CURLE_OK) return attempt;
  attempt.never_processed = died_unprocessed(easy, code);
  if (buffer.out_of_memory) note_out_of_memory(false);
  if (buffer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    attempt.code = CURLE_FILESIZE_EXCEEDED;
    attempt.error = "response body larger than --max-body (" + std::to_string(buffer.max_body) + " bytes)";
  } else if (buffer.out_of_memory) {
    attempt.error = std::string(out_of_memory_error) + ": no room for the response body";
  } else if (buffer.https && code == CURLE_UNSUPPORTED_PROTOCOL && redirected_to_http(easy)) {
    attempt.error = "redirect from https to http refused";
  } else if (code == CURLE_ABORTED_BY_CALLBACK) {
    attempt.error = cancelled_error;
  } else if (code == CURLE_OUT_OF_MEMORY && attempt.http_status != 0 && !out_of_memory_stops_runs()) {
    // libcurl 7.88 reports a header line over its 100 KiB limit (CURL_MAX_HTTP_HEADER) as out of memory;
    // after the status line, and when none of its allocations failed (library_init.hpp), that is what it is.
    attempt.error = "response header too large (a header line over 100 KiB)";
  } else {
    if (code == CURLE_COULDNT_CONNECT && (buffer.socket_errno == EMFILE || buffer.socket_errno == ENFILE))
      attempt.error = "too many open files: no socket left for the connection (see ulimit -n, --concurrency)";
    else
      attempt.error = buffer.error[0] != '\0' ? buffer.error : curl_easy_strerror(code);
    attempt.error += " (curl error " + std::to_string(static_cast<int>(code)) + ")";
  }
  return attempt;
}

verdict judge_attempt(const attempt_result &attempt, int attempts, const retry_settings &settings,
                      double unit_random) {
  verdict result;
  if (attempts > settings.retries) return result;
  if (attempt.code == CURLE_OK) {
    const auto &statuses = settings.statuses;
    result.retry = std::find(statuses.begin(), statuses.end(), attempt.http_status) != statuses.end();
  } else {
    result.retry = is_transient(attempt.code);
  }
  if (!result.retry) return result;
  result.delay_s = attempt.retry_after_s >= 0 ? attempt.retry_after_s
                                              : backoff_delay(attempts, settings.backoff_base_s,
                                                              settings.backoff_cap_s, unit_random);
  // A throttling status, or any answer carrying Retry-After, speaks for the server, not for one request.
  result.throttled = is_throttling_answer(attempt);
  return result;
}

bool is_results_answer(const attempt_result &attempt) {
  return attempt.code == CURLE_OK && attempt.http_status == 200;
}

bool is_throttling_answer(const attempt_result &attempt) {
  return attempt.code == CURLE_OK &&
         (is_throttling_status(attempt.http_status) || attempt.retry_after_s >= 0);
}

bool record_attempt(itunes::aggregator &report, std::size_t index, const attempt_result &attempt,
                    std::string_view body, int attempts) {
  if (attempt.code != CURLE_OK) {
    return report.complete_with_error(index, attempt.error, attempt.http_status, attempts);
  }
  if (is_throttling_status(attempt.http_status) && attempts > 1) {
    return report.complete_with_error(index,
                                      "HTTP " + std::to_string(attempt.http_status) +
                                          ": the API throttled every one of " + std::to_string(attempts) +
                                          " attempts (try a lower --rate)",
                                      attempt.http_status, attempts);
  }
  return report.complete_with_response(index, attempt.http_status, body, attempts);
}

}  // namespace engine

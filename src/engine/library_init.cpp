#include "engine/library_init.hpp"

#include <uv.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "engine/stop_signals.hpp"

namespace engine {
namespace {

// Enough for a run to cancel its transfers and print its records; far above glibc's mmap threshold, so that
// freeing it gives the address space back at once (what ulimit -v counts). Never touched: it costs no RAM.
constexpr std::size_t reserve_bytes = 4u << 20;

std::atomic<void *> reserve{nullptr};

// After a failed allocation: frees the reserve (true, try again) unless it is gone already; stops the runs.
bool release_reserve() {
  note_out_of_memory(true);
  void *block = reserve.exchange(nullptr);
  if (block == nullptr) return false;
  std::free(block);
  return true;
}

template <typename Allocate>
void *with_reserve(Allocate allocate) {
  void *block = allocate();
  if (block == nullptr && release_reserve()) block = allocate();
  return block;
}

void *reserve_malloc(std::size_t size) {
  if (size == 0) return std::malloc(0);
  return with_reserve([size] { return std::malloc(size); });
}

void *reserve_realloc(void *original, std::size_t size) {
  if (size == 0) return std::realloc(original, 0);
  return with_reserve([original, size] { return std::realloc(original, size); });
}

void *reserve_calloc(std::size_t count, std::size_t size) {
  if (count == 0 || size == 0) return std::calloc(count, size);
  return with_reserve([count, size] { return std::calloc(count, size); });
}

char *reserve_strdup(const char *text) {
  return static_cast<char *>(with_reserve([text] { return static_cast<void *>(strdup(text)); }));
}

}  // namespace

void prepare_libuv() {
  uv_loop_t loop;
  if (uv_loop_init(&loop) == 0) uv_loop_close(&loop);
}

CURLcode init_curl_with_reserve() {
  reserve.store(std::malloc(reserve_bytes));
  return curl_global_init_mem(CURL_GLOBAL_DEFAULT, reserve_malloc, std::free, reserve_realloc, reserve_strdup,
                              reserve_calloc);
}

}  // namespace engine

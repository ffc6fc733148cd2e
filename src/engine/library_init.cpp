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

// One for each library, so that a failure in one leaves the other its own.
class memory_reserve {
 public:
  void set_aside() { block_.store(std::malloc(reserve_bytes)); }

  // allocate(), and once more after freeing the reserve when it fails (the first failure stops the runs).
  template <typename Allocate>
  void *with_reserve(Allocate allocate) {
    void *block = allocate();
    if (block != nullptr) return block;
    note_out_of_memory(true);
    void *kept = block_.exchange(nullptr);
    if (kept == nullptr) return nullptr;
    std::free(kept);
    return allocate();
  }

 private:
  std::atomic<void *> block_{nullptr};
};

memory_reserve curl_reserve;
memory_reserve uv_reserve;

template <memory_reserve *reserve>
void *reserve_malloc(std::size_t size) {
  if (size == 0) return std::malloc(0);
  return reserve->with_reserve([size] { return std::malloc(size); });
}

template <memory_reserve *reserve>
void *reserve_realloc(void *original, std::size_t size) {
  if (size == 0) return std::realloc(original, 0);
  return reserve->with_reserve([original, size] { return std::realloc(original, size); });
}

template <memory_reserve *reserve>
void *reserve_calloc(std::size_t count, std::size_t size) {
  if (count == 0 || size == 0) return std::calloc(count, size);
  return reserve->with_reserve([count, size] { return std::calloc(count, size); });
}

char *curl_strdup(const char *text) {
  return static_cast<char *>(curl_reserve.with_reserve([text] { return static_cast<void *>(strdup(text)); }));
}

}  // namespace

void prepare_libuv() {
  uv_reserve.set_aside();
  uv_replace_allocator(reserve_malloc<&uv_reserve>, reserve_realloc<&uv_reserve>, reserve_calloc<&uv_reserve>,
                       std::free);
  uv_loop_t loop;
  if (uv_loop_init(&loop) == 0) uv_loop_close(&loop);
}

CURLcode init_curl_with_reserve() {
  curl_reserve.set_aside();
  return curl_global_init_mem(CURL_GLOBAL_DEFAULT, reserve_malloc<&curl_reserve>, std::free,
                              reserve_realloc<&curl_reserve>, curl_strdup, reserve_calloc<&curl_reserve>);
}

}  // namespace engine

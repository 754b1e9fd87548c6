/* LD_PRELOAD shim for Wizer while scripts/build-js-component.sh snapshots a JavaScript component.
 * Wizer runs the JavaScript engine's initialisation under WASI and writes the resulting memory into the
 * component. The engine seeds hash tables and Math.random from WASI random_get and reads the clocks, so an
 * unpinned build differs in about 2 MB of its memory image on every run. Wizer 7 has no option to fix
 * these, so the build gives it a fixed random stream and fixed clocks: the snapshot is then the same bytes
 * on every run and machine. (The deployed component still gets real randomness at run time: the
 * engine re-seeds Math.random per instance; hash-table seeds in the snapshot are per build, as in any Wizer
 * snapshot.) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
  (void)flags;
  unsigned char *p = buf;
  for (size_t i = 0; i < len; i++) {
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    p[i] = (unsigned char)(rng_state >> 24);
  }
  return (ssize_t)len;
}

/* 2024-01-01T00:00:00Z and a monotonic clock that stands still: how often the clocks are read varies with
 * thread timing, so an advancing clock would not be reproducible. */
int clock_gettime(clockid_t id, struct timespec *ts) {
  int64_t ns = 0;
  ts->tv_sec = (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE ? 1704067200 : 1) + ns / 1000000000;
  ts->tv_nsec = ns % 1000000000;
  return 0;
}

/* Rust's getrandom crate asks the kernel directly: syscall(SYS_getrandom, ...). */
long syscall(long n, ...) {
  va_list ap;
  va_start(ap, n);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  if (n == SYS_getrandom) return getrandom((void *)a[0], (size_t)a[1], (unsigned)a[2]);
  static long (*real)(long, ...);
  if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  return real(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* Keep the preload itself out of the environment that Wizer hands to the snapshot. */
__attribute__((constructor)) static void forget_preload(void) { unsetenv("LD_PRELOAD"); }

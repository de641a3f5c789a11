// rt.h: the base of permc's Wasm runtime: types, strings, memory primitives,
// error codes and the assertion discipline. Every other file includes it.
//
// The runtime is freestanding C for wasm32: no libc, no WASI, no imports. It is
// compiled once, ahead of time, by build.sh; permc links a spec's program into
// the built module (link.h).
#ifndef RT_H
#define RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long long i64;
typedef __SIZE_TYPE__ usize;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define INT64_MIN (-0x7fffffffffffffffLL - 1)
#define INT64_MAX 0x7fffffffffffffffLL
#define UINT64_MAX 0xffffffffffffffffULL

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define noinline __attribute__((__noinline__))
#define cold __attribute__((cold, __noinline__))
// An export: build.sh lists the exports by name (--export), so that the module's
// interface is in one place.
#define export __attribute__((visibility("default")))
#define countof(a) (sizeof(a) / sizeof((a)[0]))

// The C library's memory functions, defined in rt.c because clang may emit calls
// to them by name. -ffreestanding makes clang treat them as ordinary functions, so
// the macros below choose: a copy or fill of a known small size is the builtin,
// which becomes loads and stores; any other is a call to rt.c's, which moves short
// spans a word at a time and only long ones with memory.copy and memory.fill
// (-mbulk-memory). Engines implement those by calling out of the module's code,
// which on wazero costs as much as copying a few hundred bytes (memory.fill even a
// call for each doubling of what is filled), and most spans the runtime moves are
// a few words: names, attribute values, the pieces of an answer.
void *memcpy(void *restrict dst, const void *restrict src, usize n);
void *memmove(void *dst, const void *src, usize n);
void *memset(void *dst, int c, usize n);
int memcmp(const void *a, const void *b, usize n);
usize strlen(const char *s);
#ifndef RT_LIBC
#define RT_SMALL(n) (__builtin_constant_p(n) && (n) <= 16)
#define memcpy(d, s, n) (RT_SMALL(n) ? __builtin_memcpy((d), (s), (n)) : (memcpy)((d), (s), (n)))
#define memmove(d, s, n) (RT_SMALL(n) ? __builtin_memmove((d), (s), (n)) : (memmove)((d), (s), (n)))
#define memset(d, c, n) (RT_SMALL(n) ? __builtin_memset((d), (c), (n)) : (memset)((d), (c), (n)))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#define strlen(s) __builtin_strlen(s)
#endif

// str is a byte string: a view of memory owned by someone else (the input, an
// arena, the program). It is not NUL-terminated and may hold any bytes.
typedef struct str {
	const u8 *p;
	u32 n;
} str;

// S("literal") is the str of a string literal.
#define S(lit) ((str){(const u8 *)(lit), sizeof(lit) - 1})

static inline str str_of(const void *p, u32 n) { return (str){(const u8 *)p, n}; }

static inline bool str_eq(str a, str b) {
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

// Error codes of the functions that parse a value. Each has exactly the message of
// the Go function it ports (runtime/value.go, runtime/ip.go); rt_err_msg returns
// it. ERR_NONE (0) is success.
typedef enum rt_err {
	ERR_NONE,
	ERR_INT,       // want an integer
	ERR_UINT,      // want a non-negative integer
	ERR_RANGE,     // integer out of range
	ERR_DOUBLE,    // number out of range
	ERR_TIMESTAMP, // want an RFC 3339 timestamp such as "2026-11-22T10:00:00Z"
	ERR_TS_RANGE,  // timestamp out of range (years 1 to 9999)
	ERR_DURATION,  // want a duration such as "90s" or "1h30m"
	ERR_BYTES,     // want base64 (standard alphabet, padded)
	ERR_BAD_IP,    // inIPAddrRange: malformed IP address
	ERR_BAD_CIDR,  // inIPAddrRange: malformed CIDR range
} rt_err;

str rt_err_msg(rt_err e);

// Assertions. A broken invariant is a bug in the module: it must fail the call
// closed (status INTERNAL) and leave the instance usable, never trap. rt_bug
// records the first one of the current call (the export reports it) and returns
// false, so that code can write
//
//	if (!RT_ASSERT(i < n)) return 0;
//
// and take a safe path. The same holds in the test build, so that tests see what a
// host would see.
#define RT_ASSERT(cond) (likely(cond) ? true : rt_bug(__FILE__ ":" RT_LINE(__LINE__) ": " #cond))
#define RT_LINE(n) RT_LINE_(n)
#define RT_LINE_(n) #n
bool rt_bug(const char *what);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * types.h - the kernel's basic types and helpers that every other kernel-style header uses:
 * u8..u64/s8..s64, container_of(), BIT(), error codes and ERR_PTR(), likely(), annotations
 * that sparse checks in the kernel (__rcu, __percpu...) and that compile to nothing here.
 */
#ifndef KWEAVE_TYPES_H
#define KWEAVE_TYPES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

#define BITS_PER_LONG ((int)(8 * sizeof(long)))
#define BITS_PER_BYTE 8
#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BITS_TO_LONGS(nr) (((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define container_of_const(ptr, type, member) container_of(ptr, type, member)
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))

/* sparse and compiler annotations */
#define __rcu
#define __percpu
#define __iomem
#define __user
#define __force
#define __must_check __attribute__((warn_unused_result))
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define __maybe_unused __attribute__((unused))
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define fallthrough __attribute__((fallthrough))

/* error codes (kernel values) */
#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define EAGAIN 11
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define ETIMEDOUT 110
#define EALREADY 114
#define ERESTARTSYS 512
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }

/* virtual time: one jiffy is one tick of kweave's clock */
#define HZ 1000
#define MAX_SCHEDULE_TIMEOUT LONG_MAX
#define msecs_to_jiffies(ms) ((unsigned long)(ms) * HZ / 1000)
#define usecs_to_jiffies(us) (((unsigned long)(us) * HZ + 999999) / 1000000)
#define jiffies_to_msecs(j) ((unsigned int)((j) * 1000 / HZ))
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)

#endif /* KWEAVE_TYPES_H */

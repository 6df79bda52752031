/* SPDX-License-Identifier: MIT */
/* common.h: small helpers shared by every module; the first include of every .c file. */
#ifndef SEMISCOPE_COMMON_H
#define SEMISCOPE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SS_MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define SS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SS_WARN_UNUSED __attribute__((warn_unused_result))
#define SS_LIKELY(x) __builtin_expect(!!(x), 1)
#define SS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SS_PRINTF(f, a)
#define SS_WARN_UNUSED
#define SS_LIKELY(x) (x)
#define SS_UNLIKELY(x) (x)
#endif

/* Caller-supplied error text, as in libpcap's errbuf convention. */
#define SS_ERRBUF_SIZE 256

/* Nanoseconds in a second: every time in semiscope is capture time in ns since the epoch. */
#define SS_NS_PER_SEC UINT64_C(1000000000)

#endif

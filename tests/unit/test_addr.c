/* SPDX-License-Identifier: MIT */
/* test_addr.c: printing and comparing addresses and endpoints (capture/addr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "semiscope/packet.h"

static struct ss_endpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
    struct ss_endpoint e;
    memset(&e, 0, sizeof e);
    e.addr.family = 4;
    e.addr.b[0] = a;
    e.addr.b[1] = b;
    e.addr.b[2] = c;
    e.addr.b[3] = d;
    e.port = port;
    return e;
}

static struct ss_endpoint ep6(const uint8_t b[16], uint16_t port)
{
    struct ss_endpoint e;
    memset(&e, 0, sizeof e);
    e.addr.family = 6;
    memcpy(e.addr.b, b, 16);
    e.port = port;
    return e;
}

static const uint8_t V6_DOC[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t V6_MAPPED[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};
static const uint8_t V6_FULL[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0,
                                    0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};

static void test_strings(void **state)
{
    (void)state;
    char buf[SS_ENDPOINT_STRLEN];
    struct ss_endpoint e = ep4(192, 168, 1, 20, 3306);
    assert_string_equal(ss_endpoint_str(&e, buf, sizeof buf), "192.168.1.20:3306");
    assert_string_equal(ss_addr_str(&e.addr, buf, sizeof buf), "192.168.1.20");
    e = ep4(0, 0, 0, 0, 0);
    assert_string_equal(ss_endpoint_str(&e, buf, sizeof buf), "0.0.0.0:0");
    e = ep6(V6_DOC, 3306);
    assert_string_equal(ss_endpoint_str(&e, buf, sizeof buf), "[2001:db8::1]:3306");
    assert_string_equal(ss_addr_str(&e.addr, buf, sizeof buf), "2001:db8::1");
    e = ep6(V6_MAPPED, 65535);
    assert_string_equal(ss_endpoint_str(&e, buf, sizeof buf), "[::ffff:10.0.0.1]:65535");
    /* The longest form must fit SS_ENDPOINT_STRLEN. */
    e = ep6(V6_FULL, 65535);
    assert_string_equal(ss_endpoint_str(&e, buf, sizeof buf),
                        "[fe80::1234:5678:9abc:def0]:65535");
    static const uint8_t longest[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    e = ep6(longest, 65535);
    ss_endpoint_str(&e, buf, sizeof buf);
    assert_string_equal(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
    /* Small buffers truncate, always NUL-terminated. */
    char small[6];
    e = ep4(10, 0, 0, 1, 3306);
    ss_endpoint_str(&e, small, sizeof small);
    assert_string_equal(small, "10.0.");
    /* Unknown family prints as "?". */
    e.addr.family = 0;
    assert_string_equal(ss_addr_str(&e.addr, buf, sizeof buf), "?");
}

static void test_equality(void **state)
{
    (void)state;
    struct ss_endpoint a = ep4(10, 0, 0, 1, 3306), b = ep4(10, 0, 0, 1, 3306);
    assert_true(ss_endpoint_eq(&a, &b));
    assert_true(ss_addr_eq(&a.addr, &b.addr));
    b.port = 3307;
    assert_false(ss_endpoint_eq(&a, &b));
    assert_true(ss_addr_eq(&a.addr, &b.addr));
    b = ep4(10, 0, 0, 2, 3306);
    assert_false(ss_endpoint_eq(&a, &b));
    /* IPv4 compares its 4 bytes only: garbage in the unused tail does not matter. */
    b = a;
    b.addr.b[10] = 0x55;
    assert_true(ss_addr_eq(&a.addr, &b.addr));
    /* 10.0.0.1 and ::ffff:10.0.0.1 are different endpoints on the wire. */
    struct ss_endpoint m = ep6(V6_MAPPED, 3306);
    assert_false(ss_endpoint_eq(&a, &m));
    struct ss_endpoint x = ep6(V6_DOC, 1), y = ep6(V6_DOC, 1);
    assert_true(ss_endpoint_eq(&x, &y));
    y.addr.b[15] = 2;
    assert_false(ss_addr_eq(&x.addr, &y.addr));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_equality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

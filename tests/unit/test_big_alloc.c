/* test_big_alloc: the pool of big blocks hands a released block to the next user at
 * its real size, and hands one block over to another pool (a stage on another thread)
 * and takes it back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/big_alloc.h"

#define MIB ((size_t)1 << 20)

static void a_released_block_serves_the_next_array(void **state)
{
    (void)state;
    lt_pool pool = {0};
    assert_int_equal(lt_pool_reserve(&pool, 1, 8 * MIB), 1);
    char *a = lt_pool_alloc(&pool, 8 * MIB, 1); /* lent by the pool */
    assert_non_null(a);
    memset(a, 1, 8 * MIB);
    lt_pool_release(&pool, a, 4 * MIB); /* released smaller than it is: comes back whole */
    assert_int_equal(pool.count, 1);
    assert_true(pool.bytes[0] >= 8 * MIB);
    char *b = lt_pool_alloc(&pool, 6 * MIB, 1);
    assert_ptr_equal(b, a);
    assert_int_equal(pool.count, 0);
    free(b);
    lt_pool_drain(&pool);
}

static void the_smallest_fitting_block_is_handed_over_and_taken_back(void **state)
{
    (void)state;
    lt_pool pool = {0}, other = {0};
    assert_int_equal(lt_pool_reserve(&pool, 1, 16 * MIB), 1);
    assert_int_equal(lt_pool_reserve(&pool, 1, 8 * MIB), 1);
    assert_int_equal(lt_pool_hand_over(&pool, &other, 32 * MIB), -1); /* none that big */
    assert_int_equal(pool.count, 2);
    assert_int_equal(lt_pool_hand_over(&pool, &other, 6 * MIB), 0);
    assert_int_equal(pool.count, 1);
    assert_int_equal(other.count, 1);
    assert_int_equal(other.bytes[0], 8 * MIB); /* the smaller of the two that fit */
    assert_int_equal(pool.bytes[0], 16 * MIB);
    void *handed = other.ptr[0];
    void *used = lt_pool_alloc(&other, 8 * MIB, 1); /* the other side's stage */
    assert_ptr_equal(used, handed);
    assert_int_equal(other.count, 0);
    lt_pool_release(&other, used, 8 * MIB);
    lt_pool_take_all(&pool, &other);
    assert_int_equal(pool.count, 2);
    assert_int_equal(other.count, 0);
    lt_pool_drain(&pool);
    assert_int_equal(pool.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_released_block_serves_the_next_array),
        cmocka_unit_test(the_smallest_fitting_block_is_handed_over_and_taken_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

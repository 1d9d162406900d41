/* leak_status: the transition rules. See leak_status.h. */
#include "leak_status.h"

#include <string.h>

static const char *const status_names[LT_LEAK_STATUS_COUNT] = {
    [LT_LEAK_NEW] = "new",           [LT_LEAK_RECURRING] = "recurring",
    [LT_LEAK_RESOLVED] = "resolved", [LT_LEAK_REGRESSED] = "regressed",
    [LT_LEAK_IGNORED] = "ignored",
};

const char *lt_leak_status_name(lt_leak_status s)
{
    return s >= 0 && s < LT_LEAK_STATUS_COUNT ? status_names[s] : "new";
}

int lt_leak_status_parse(const char *name)
{
    for (int i = 0; i < LT_LEAK_STATUS_COUNT; i++)
        if (!strcmp(status_names[i], name))
            return i;
    return -1;
}

/* True when the leak was resolved between the occurrences at positions prev and next
 * (next past the end of the history: now): absent long enough, or the user's choice. */
static int resolved_between(const lt_leak_history *h, int64_t prev, int64_t next)
{
    int64_t absent = next - prev - 1;
    if (absent >= h->resolve_after)
        return 1;
    return h->choice == LT_CHOICE_RESOLVED && h->choice_position >= prev && h->choice_position < next;
}

lt_leak_status lt_leak_status_walk(const lt_leak_history *h, lt_leak_status *at_occurrence)
{
    lt_leak_status s = LT_LEAK_NEW;
    if (at_occurrence)
        at_occurrence[0] = s;
    for (size_t i = 1; i < h->count; i++) {
        s = resolved_between(h, h->positions[i - 1], h->positions[i]) ? LT_LEAK_REGRESSED : LT_LEAK_RECURRING;
        if (at_occurrence)
            at_occurrence[i] = s;
    }
    if (h->choice == LT_CHOICE_IGNORED)
        return LT_LEAK_IGNORED;
    if (resolved_between(h, h->positions[h->count - 1], h->analysed_count + 1))
        return LT_LEAK_RESOLVED;
    return s;
}

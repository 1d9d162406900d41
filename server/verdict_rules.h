/* verdict_rules: the rules that fail a CI verdict, shared by the API
 * (`GET /api/v1/analyses/{id}/verdict?fail_on=RULES`), `leaktriage upload
 * --fail-on RULES` and, offline, `leaktriage analyze --fail-on RULES`.
 *
 * RULES is a comma-separated list of:
 *   new               a leak first seen in this analysis
 *   regressed         a leak seen again after it was resolved
 *   kind:KIND         any finding of that kind (recursive_chain, closure_chain, ...)
 *   growth:N          the heap grew more than N% against the baseline analysis
 *   retained:N        a finding holding more than N% of the heap
 * The default is LT_FAIL_ON_DEFAULT. Whatever the rule, a finding whose leak is
 * `ignored` never fails; `large_retainer` findings (sizes, never leaks) fail only
 * a rule that names them (`kind:large_retainer`), never `new`, `regressed` or
 * `retained:N`. Nothing here allocates or touches the database. */
#ifndef LT_VERDICT_RULES_H
#define LT_VERDICT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LT_FAIL_ON_DEFAULT   "new,regressed"
#define LT_VERDICT_RULES_MAX 16

typedef enum lt_rule_type {
    LT_RULE_NEW,
    LT_RULE_REGRESSED,
    LT_RULE_KIND,
    LT_RULE_GROWTH,
    LT_RULE_RETAINED,
} lt_rule_type;

typedef struct lt_rule {
    lt_rule_type type;
    char kind[40];  /* LT_RULE_KIND */
    double percent; /* LT_RULE_GROWTH, LT_RULE_RETAINED */
    char text[64];  /* the rule as written back: "kind:recursive_chain", "growth:10" */
} lt_rule;

typedef struct lt_rules {
    lt_rule items[LT_VERDICT_RULES_MAX];
    unsigned count;
} lt_rules;

/* Parses text (NULL or "" = LT_FAIL_ON_DEFAULT) into out. Returns 0, or -1 with
 * a one-line reason in why ("unknown rule 'x'", "growth: a percentage from 0
 * to 1000000"). Duplicates are kept once. */
int lt_rules_parse(const char *text, lt_rules *out, char *why, size_t why_len);

/* True when a rule needs the history of the app (new, regressed, growth): such
 * rules cannot be applied to one snapshot offline. */
bool lt_rules_need_history(const lt_rules *rules);

/* One finding as the verdict sees it. */
typedef struct lt_verdict_finding {
    const char *kind;        /* "recursive_chain", ... */
    double retained_percent; /* of the heap */
    const char *leak_status; /* its leak's status now ("new", "recurring", "regressed",
                                  "resolved", "ignored"), or NULL when it has no leak record */
    bool first_seen_here;    /* the leak's first occurrence is this analysis */
} lt_verdict_finding;

/* The first rule of rules that finding f fails, or NULL. */
const lt_rule *lt_rules_failed_by(const lt_rules *rules, const lt_verdict_finding *f);

/* The growth rule the heap change fails (growth_percent: after against before,
 * in percent; NAN when there is no baseline), or NULL. */
const lt_rule *lt_rules_failed_by_growth(const lt_rules *rules, double growth_percent);

#endif

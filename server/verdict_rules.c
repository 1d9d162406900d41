#include "verdict_rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads "N" (a decimal percentage, 0..1e6) from s. 0 or -1. */
static int parse_percent(const char *s, double *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    double v = strtod(s, &end);
    if (*end || !(v >= 0 && v <= 1e6))
        return -1;
    *out = v;
    return 0;
}

static int is_kind_name(const char *s)
{
    if (!*s || strlen(s) >= sizeof((lt_rule *)0)->kind)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return 0;
    return 1;
}

/* Parses one rule of length len at s into r. 0, or -1 with why. */
static int parse_rule(const char *s, size_t len, lt_rule *r, char *why, size_t why_len)
{
    char word[64];
    if (len == 0 || len >= sizeof word)
        return snprintf(why, why_len, "an empty or overlong rule"), -1;
    memcpy(word, s, len);
    word[len] = '\0';
    *r = (lt_rule){0};
    snprintf(r->text, sizeof r->text, "%s", word);
    if (!strcmp(word, "new"))
        r->type = LT_RULE_NEW;
    else if (!strcmp(word, "regressed"))
        r->type = LT_RULE_REGRESSED;
    else if (!strncmp(word, "kind:", 5) && is_kind_name(word + 5))
        r->type = LT_RULE_KIND, snprintf(r->kind, sizeof r->kind, "%s", word + 5);
    else if (!strncmp(word, "growth:", 7) && !parse_percent(word + 7, &r->percent))
        r->type = LT_RULE_GROWTH;
    else if (!strncmp(word, "retained:", 9) && !parse_percent(word + 9, &r->percent))
        r->type = LT_RULE_RETAINED;
    else
        return snprintf(why, why_len,
                        "unknown rule '%s' (rules: new, regressed, kind:KIND, growth:PERCENT, retained:PERCENT)", word),
               -1;
    return 0;
}

int lt_rules_parse(const char *text, lt_rules *out, char *why, size_t why_len)
{
    out->count = 0;
    if (!text || !*text)
        text = LT_FAIL_ON_DEFAULT;
    for (const char *s = text;;) {
        size_t len = strcspn(s, ",");
        lt_rule r;
        if (parse_rule(s, len, &r, why, why_len))
            return -1;
        int seen = 0;
        for (unsigned i = 0; i < out->count; i++)
            seen |= !strcmp(out->items[i].text, r.text);
        if (!seen && out->count == LT_VERDICT_RULES_MAX)
            return snprintf(why, why_len, "more than %d rules", LT_VERDICT_RULES_MAX), -1;
        if (!seen)
            out->items[out->count++] = r;
        if (!s[len])
            return 0;
        s += len + 1;
    }
}

bool lt_rules_need_history(const lt_rules *rules)
{
    for (unsigned i = 0; i < rules->count; i++)
        if (rules->items[i].type == LT_RULE_NEW || rules->items[i].type == LT_RULE_REGRESSED ||
            rules->items[i].type == LT_RULE_GROWTH)
            return true;
    return false;
}

static bool fails(const lt_rule *r, const lt_verdict_finding *f)
{
    bool size_only = !strcmp(f->kind, "large_retainer");
    switch (r->type) {
    case LT_RULE_NEW: return !size_only && f->first_seen_here;
    case LT_RULE_REGRESSED: return !size_only && f->leak_status && !strcmp(f->leak_status, "regressed");
    case LT_RULE_KIND: return !strcmp(f->kind, r->kind);
    case LT_RULE_RETAINED: return !size_only && f->retained_percent > r->percent;
    case LT_RULE_GROWTH: return false;
    }
    return false;
}

const lt_rule *lt_rules_failed_by(const lt_rules *rules, const lt_verdict_finding *f)
{
    if (f->leak_status && !strcmp(f->leak_status, "ignored"))
        return NULL;
    for (unsigned i = 0; i < rules->count; i++)
        if (fails(&rules->items[i], f))
            return &rules->items[i];
    return NULL;
}

const lt_rule *lt_rules_failed_by_growth(const lt_rules *rules, double growth_percent)
{
    if (isnan(growth_percent))
        return NULL;
    for (unsigned i = 0; i < rules->count; i++)
        if (rules->items[i].type == LT_RULE_GROWTH && growth_percent > rules->items[i].percent)
            return &rules->items[i];
    return NULL;
}

#include "findings/findings.h"

#include "util/grow.h"
#include "util/json_build.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    const char *prefix;
    int has_fix;
} kinds[] = {
    [LT_FINDING_RECURSIVE_CHAIN] = {"recursive_chain", "rc-", 1},
    [LT_FINDING_RETAINER_CLUSTER] = {"retainer_cluster", "cl-", 1},
    [LT_FINDING_DETACHED_DOM] = {"detached_dom", "dd-", 1},
    [LT_FINDING_LARGE_RETAINER] = {"large_retainer", "lr-", 0},
    [LT_FINDING_CLOSURE_CHAIN] = {"closure_chain", "cc-", 1},
    [LT_FINDING_LEAKED_SINCE_BASELINE] = {"leaked_since_baseline", "lb-", 1},
};

const char *lt_finding_kind_name(lt_finding_kind kind)
{
    return kinds[kind].name;
}

char *lt_strdup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

void lt_findings_normalise_script(const char *path, char *buf, size_t len)
{
    const char *p = path, *scheme = strstr(path, "://");
    if (scheme) { /* URL: drop scheme and host */
        const char *slash = strchr(scheme + 3, '/');
        p = slash ? slash : "";
    }
    size_t n = strcspn(p, "?#");
    const char *last = NULL, *before = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '/' || p[i] == '\\') {
            before = last;
            last = p + i;
        }
    const char *start = before ? before + 1 : p;
    if (before && last == p + n - 1) /* trailing slash: keep as is */
        start = p;
    snprintf(buf, len, "%.*s", (int)(n - (size_t)(start - p)), start);
}

static void fingerprint_of(lt_finding_kind kind, const char *const *parts, size_t count, char out[41])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        EVP_DigestUpdate(ctx, kinds[kind].name, strlen(kinds[kind].name) + 1);
        for (size_t i = 0; i < count; i++)
            EVP_DigestUpdate(ctx, parts[i] ? parts[i] : "", strlen(parts[i] ? parts[i] : "") + 1);
        EVP_DigestFinal_ex(ctx, digest, &digest_len);
    }
    EVP_MD_CTX_free(ctx);
    int at = snprintf(out, 41, "%s", kinds[kind].prefix);
    for (unsigned i = 0; i < 16 && i < digest_len; i++)
        at += snprintf(out + at, 41 - (size_t)at, "%02x", digest[i]);
}

int lt_findings_add(lt_findings *f, lt_finding_kind kind, char *title, char *fix, uint64_t retained_size,
                    uint64_t total_size, json_t *details, const char *const *fingerprint_parts, size_t part_count,
                    lt_error *err)
{
    if (!title || !details || (kinds[kind].has_fix && !fix) ||
        lt_grow(&f->items, &f->capacity, f->count, sizeof *f->items, 8))
        goto fail;
    lt_finding *x = &f->items[f->count++];
    *x = (lt_finding){.kind = kind,
                      .title = title,
                      .fix = fix,
                      .retained_size = retained_size,
                      .retained_percent = total_size ? 100.0 * (double)retained_size / (double)total_size : 0,
                      .details = details};
    fingerprint_of(kind, fingerprint_parts, part_count, x->fingerprint);
    return 0;
fail:
    free(title);
    free(fix);
    json_decref(details);
    return lt_error_set(err, LT_ENOMEM, "out of memory recording a finding");
}

static int by_retained(const void *a, const void *b)
{
    const lt_finding *x = a, *y = b;
    if (x->retained_size != y->retained_size)
        return x->retained_size > y->retained_size ? -1 : 1;
    return 0;
}

void lt_findings_rank(lt_findings *f)
{
    /* insertion sort: stable, and the lists are short */
    for (uint32_t i = 1; i < f->count; i++) {
        lt_finding x = f->items[i];
        uint32_t j = i;
        while (j > 0 && by_retained(&f->items[j - 1], &x) > 0) {
            f->items[j] = f->items[j - 1];
            j--;
        }
        f->items[j] = x;
    }
}

json_t *lt_findings_json(const lt_findings *f)
{
    json_t *list = json_array();
    for (uint32_t i = 0; list && i < f->count; i++) {
        const lt_finding *x = &f->items[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:f}", "kind", kinds[x->kind].name, "title", x->title,
                              "fingerprint", x->fingerprint, "retained_size", (json_int_t)x->retained_size,
                              "retained_percent", (double)((int64_t)(x->retained_percent * 100 + 0.5)) / 100);
        lt_json_set(&o, "fix", x->fix ? json_string(x->fix) : json_null());
        if (o && json_object_update(o, x->details)) {
            json_decref(o);
            o = NULL;
        }
        lt_json_append(&list, o);
    }
    return list;
}

/* DevTools shows names cut to 120 UTF-16 units: the first 117 and "...". */
json_t *lt_json_name(const char *name)
{
    size_t units = 0, cut = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        units += *p >= 0xF0 ? 2 : 1;
        if (units <= 117)
            cut = (size_t)(p - (const unsigned char *)name);
    }
    if (units <= 120)
        return json_string(name);
    /* cut is the start of the last char within 117 units: include it whole */
    size_t end = cut + 1;
    while (name[end] && ((unsigned char)name[end] & 0xC0) == 0x80)
        end++;
    char *buf = malloc(end + 4);
    if (!buf)
        return NULL;
    memcpy(buf, name, end);
    memcpy(buf + end, "...", 4);
    json_t *s = json_string(buf);
    free(buf);
    return s;
}

void lt_format_size(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    double x = (double)bytes;
    int u = 0;
    while (x >= 1000 && u < 4) {
        x /= 1000;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", x, units[u]);
}

void lt_format_count(uint64_t n, char *buf, size_t len)
{
    char digits[32];
    int k = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n), at = 0;
    for (int i = 0; i < k && at + 2 < (int)len; i++) {
        if (i && (k - i) % 3 == 0)
            buf[at++] = ',';
        buf[at++] = digits[i];
    }
    buf[at] = '\0';
}

int lt_findings_move(lt_findings *into, lt_findings *from)
{
    int rc = 0;
    for (uint32_t i = 0; i < from->count && !rc; i++) {
        if ((rc = lt_grow(&into->items, &into->capacity, into->count, sizeof *into->items, 8)))
            break;
        into->items[into->count++] = from->items[i];
        from->items[i] = (lt_finding){0};
    }
    lt_findings_free(from);
    return rc ? LT_ENOMEM : 0;
}

void lt_findings_free(lt_findings *f)
{
    for (uint32_t i = 0; i < f->count; i++) {
        free(f->items[i].title);
        free(f->items[i].fix);
        json_decref(f->items[i].details);
    }
    free(f->items);
    memset(f, 0, sizeof *f);
}

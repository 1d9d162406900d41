/* cli_verdict: the verdict lines of analyze --fail-on and upload. See cli_verdict.h. */
#include "cli_verdict.h"

#include "verdict_rules.h"

static const char *or_unknown(const char *s)
{
    return s && *s ? s : "?";
}

void lt_cli_print_verdict(FILE *out, int failed, const char *rules)
{
    fprintf(out, "verdict: %s (fail_on %s)\n", failed ? "fail" : "pass", rules && *rules ? rules : LT_FAIL_ON_DEFAULT);
}

void lt_cli_print_reason(FILE *out, const lt_cli_reason *r)
{
    fprintf(out, "  [%s] %s: %s", or_unknown(r->rule), or_unknown(r->kind), or_unknown(r->title));
    if (r->fingerprint && *r->fingerprint)
        fprintf(out, " (%s)", r->fingerprint);
    if (r->url && *r->url)
        fprintf(out, " %s", r->url);
    fputc('\n', out);
}

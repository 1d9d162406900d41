/* cli_common: the option parser and usage texts of every subcommand. See cli_common.h. */
#include "cli_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lt_error.h"

void lt_cli_print_synopsis(const lt_cli_command *cmd, FILE *out)
{
    fprintf(out, "usage: leaktriage %s", cmd->name);
    if (cmd->operands)
        fprintf(out, " %s", cmd->operands);
    for (size_t i = 0; i < cmd->option_count; i++) {
        const lt_cli_option *o = &cmd->options[i];
        if (o->value_name)
            fprintf(out, " [%s %s]", o->name, o->value_name);
        else
            fprintf(out, " [%s]", o->name);
    }
    fputc('\n', out);
}

void lt_cli_print_help(const lt_cli_command *cmd, FILE *out)
{
    lt_cli_print_synopsis(cmd, out);
    if (cmd->operands_help)
        fputs(cmd->operands_help, out);
    for (size_t i = 0; i < cmd->option_count; i++) {
        const lt_cli_option *o = &cmd->options[i];
        char call[64], env[64];
        snprintf(call, sizeof call, "%s%s%s", o->name, o->value_name ? " " : "", o->value_name ? o->value_name : "");
        fprintf(out, "  %-20s %s\n", call, o->help);
        if (cmd->env_options) {
            lt_cli_env_name(o, env, sizeof env);
            fprintf(out, "  %-20s   or $%s\n", "", env);
        }
    }
}

void lt_cli_env_name(const lt_cli_option *o, char *out, size_t cap)
{
    if (o->env) {
        snprintf(out, cap, "%s", o->env);
        return;
    }
    const char *name = o->name + strspn(o->name, "-");
    size_t n = (size_t)snprintf(out, cap, LT_CLI_ENV_PREFIX "%s", name);
    for (size_t i = strlen(LT_CLI_ENV_PREFIX); i < n && i < cap; i++)
        out[i] = out[i] == '-' ? '_' : (char)(out[i] >= 'a' && out[i] <= 'z' ? out[i] - 'a' + 'A' : out[i]);
}

int lt_cli_exit_status(int code)
{
    switch (code) {
    case LT_OK: return LT_EXIT_OK;
    case LT_EINPUT:
    case LT_EARCHIVE:
    case LT_ELIMIT:
    case LT_EUSAGE: return LT_EXIT_BAD_INPUT;
    default: return LT_EXIT_INTERNAL;
    }
}

int lt_cli_usage_error(const lt_cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "leaktriage %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    lt_cli_print_synopsis(cmd, stderr);
    return LT_CLI_USAGE;
}

static const lt_cli_option *find_option(const lt_cli_command *cmd, const char *name)
{
    for (size_t i = 0; i < cmd->option_count; i++)
        if (!strcmp(cmd->options[i].name, name))
            return &cmd->options[i];
    return NULL;
}

/* The power of two a size suffix (K, M, G, T; either case) stands for, or 0. */
static int size_shift(const char *suffix)
{
    static const char units[] = "KMGT";
    const char *u = suffix[0] ? strchr(units, suffix[0] & ~0x20) : NULL;
    return u ? 10 * (int)(u - units + 1) : 0;
}

/* A flag's variable: 1/true/yes sets it, 0/false/no leaves it; anything else is -1. */
static int flag_value(const char *value)
{
    static const char *const yes[] = {"1", "true", "yes"}, *const no[] = {"0", "false", "no"};
    for (size_t i = 0; i < 3; i++)
        if (!strcasecmp(value, yes[i]) || !strcasecmp(value, no[i]))
            return !strcasecmp(value, yes[i]);
    return -1;
}

/* Stores value (NULL for a flag on the command line) where o says; `from` names where the
 * value came from in errors (the option, or its variable). Returns 0, or LT_CLI_USAGE
 * (reported). */
static int set_option(const lt_cli_command *cmd, const lt_cli_option *o, const char *from, const char *value,
                      void *args)
{
    char *field = (char *)args + o->offset;
    if (o->kind == LT_CLI_FLAG) {
        int on = value ? flag_value(value) : 1;
        if (on < 0)
            return lt_cli_usage_error(cmd, "%s takes 1, true, yes, 0, false or no, not '%s'", from, value);
        *(int *)field |= on;
        return 0;
    }
    if (o->kind == LT_CLI_TEXT) {
        *(const char **)field = value;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long n = strtoull(value, &end, 10);
    int shift = o->kind == LT_CLI_SIZE ? size_shift(end) : 0;
    if (shift > 0 && end[1] == '\0' && n <= (UINT64_MAX >> shift)) {
        n <<= shift;
        end++;
    }
    if (errno || end == value || *end || value[0] == '-' || n < o->min || n > o->max)
        return lt_cli_usage_error(cmd, "%s takes a %s from %" PRIu64 " to %" PRIu64 ", not '%s'", from,
                                  o->kind == LT_CLI_SIZE ? "size (bytes, or with K, M, G, T)" : "number", o->min,
                                  o->max, value);
    *(uint64_t *)field = n;
    return 0;
}

/* Takes argv[*i] as an operand. Returns 0, or LT_CLI_USAGE (reported). */
static int add_operand(const lt_cli_command *cmd, const char *arg, int *count, void *args)
{
    if (*count >= cmd->max_operands)
        return lt_cli_usage_error(cmd, "unexpected argument '%s'", arg);
    const char **operands = (const char **)((char *)args + cmd->operands_offset);
    operands[(*count)++] = arg;
    return 0;
}

/* Sets each option the command line left unset from its non-empty environment variable.
 * Returns 0, or LT_CLI_USAGE (reported, naming the variable). */
static int parse_env(const lt_cli_command *cmd, const unsigned char *given, void *args)
{
    for (size_t i = 0; i < cmd->option_count; i++) {
        char env[64], from[160];
        lt_cli_env_name(&cmd->options[i], env, sizeof env);
        const char *value = given[i] ? NULL : getenv(env);
        if (!value || !*value)
            continue;
        snprintf(from, sizeof from, "$%s (%s)", env, cmd->options[i].name);
        int rc = set_option(cmd, &cmd->options[i], from, value, args);
        if (rc)
            return rc;
    }
    return 0;
}

int lt_cli_parse(const lt_cli_command *cmd, int argc, char **argv, void *args)
{
    int operands = 0;
    unsigned char given[LT_CLI_OPTIONS_MAX] = {0}; /* given[k]: options[k] is on the command line */
    if (cmd->option_count > LT_CLI_OPTIONS_MAX)
        return lt_cli_usage_error(cmd, "has more than %d options (LT_CLI_OPTIONS_MAX)", LT_CLI_OPTIONS_MAX);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            lt_cli_print_help(cmd, stdout);
            return 0;
        }
        const lt_cli_option *o = a[0] == '-' && a[1] ? find_option(cmd, a) : NULL;
        if (a[0] == '-' && a[1] && !o)
            return lt_cli_usage_error(cmd, "unknown option %s", a);
        if (o && o->value_name && i + 1 >= argc)
            return lt_cli_usage_error(cmd, "%s needs a value (%s)", a, o->value_name);
        if (o)
            given[o - cmd->options] = 1;
        int rc = o ? set_option(cmd, o, o->name, o->value_name ? argv[++i] : NULL, args)
                   : add_operand(cmd, a, &operands, args);
        if (rc)
            return rc;
    }
    if (operands < cmd->min_operands)
        return lt_cli_usage_error(cmd, "needs %s", cmd->operands);
    int rc = cmd->env_options ? parse_env(cmd, given, args) : 0;
    return rc ? rc : LT_CLI_CONTINUE;
}

#include "lt_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static const struct {
    int code;
    const char *text;
} error_texts[] = {
#define LT_ERROR_TEXT(name, value, text) {value, text},
    LT_ERROR_MAP(LT_ERROR_TEXT)
#undef LT_ERROR_TEXT
};

const char *lt_strerror(int code)
{
    if (code == LT_OK)
        return "success";
    for (size_t i = 0; i < sizeof error_texts / sizeof error_texts[0]; i++)
        if (error_texts[i].code == code)
            return error_texts[i].text;
    return "unknown error";
}

int lt_error_set(lt_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        lt_text_clean(err->message, sizeof err->message);
    }
    return code;
}

void lt_error_clear(lt_error *err)
{
    if (err) {
        err->code = LT_OK;
        err->message[0] = '\0';
    }
}

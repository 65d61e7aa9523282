/*
 * lead_view.c - shared by the lead commands: taking command-specific options out of argv,
 * masking personal numbers in text (ID numbers, bank cards, mobiles) for display and
 * export, and turning stored evidence values into JSON or one line of text.
 *
 * Invariant: masking only ever replaces ASCII digits (and an ID number's final X) with
 * '*', so the text stays valid UTF-8 and its length in characters is unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/lead_view.h"
#include "shujian/norm.h"

int sj_cli_take_option(int *argc, char **argv, const char *name, const char **value)
{
    size_t len = strlen(name);
    int found = 0;
    for (int i = 1; i < *argc;) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0)
            break;
        if (strncmp(arg, name, len) != 0 || (arg[len] != '\0' && arg[len] != '=')) {
            i++;
            continue;
        }
        int used = 1;
        if (!value) {
            if (arg[len] == '=')
                return -1;
        } else if (arg[len] == '=') {
            *value = arg + len + 1;
        } else {
            if (i + 1 >= *argc)
                return -1;
            *value = argv[i + 1];
            used = 2;
        }
        found = 1;
        memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used) * sizeof *argv);
        *argc -= used;
    }
    return found;
}

/* ---- Masking -------------------------------------------------------------------------------- */

char *sj_cli_mask_text(const char *text)
{
    if (!text)
        return NULL;
    struct sj_buf out;
    sj_buf_init(&out, 0);
    sj_norm_mask_text(text, &out);
    return sj_buf_detach(&out, NULL);
}

char *sj_cli_shown(const char *text, bool reveal)
{
    if (!text)
        return sj_xstrdup("");
    return reveal ? sj_xstrdup(text) : sj_cli_mask_text(text);
}

/* ---- Evidence values ------------------------------------------------------------------------ */

json_t *sj_cli_evidence_json(const char *values_json, bool reveal)
{
    json_t *in = json_loads(values_json ? values_json : "{}", 0, NULL);
    if (!json_is_object(in)) {
        json_decref(in);
        char *shown = sj_cli_shown(values_json, reveal);
        json_t *raw = json_pack("{s:o}", "_raw", sj_cli_json_string(shown));
        free(shown);
        return raw;
    }
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        if (json_is_string(v) && !reveal) {
            char *masked = sj_cli_mask_text(json_string_value(v));
            json_object_set_new(out, key, sj_cli_json_string(masked));
            free(masked);
        } else {
            json_object_set(out, key, v);
        }
    }
    json_decref(in);
    return out;
}

char *sj_cli_evidence_text(const char *values_json, bool reveal)
{
    json_t *obj = sj_cli_evidence_json(values_json, reveal);
    struct sj_buf out;
    sj_buf_init(&out, 0);
    const char *key;
    json_t *v;
    bool is_first = true;
    json_object_foreach(obj, key, v)
    {
        if (!is_first)
            sj_buf_append_cstr(&out, "；");
        is_first = false;
        sj_buf_appendf(&out, "%s：", key);
        if (json_is_string(v))
            sj_buf_append_cstr(&out, json_string_value(v));
        else if (json_is_integer(v))
            sj_buf_appendf(&out, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            sj_buf_appendf(&out, "%g", json_real_value(v));
        else if (json_is_boolean(v))
            sj_buf_append_cstr(&out, json_is_true(v) ? "是" : "否");
    }
    json_decref(obj);
    return sj_buf_detach(&out, NULL);
}

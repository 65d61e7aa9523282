/*
 * names.c - the stable English names (as written in model files and the API) and the
 * Chinese labels of the procuratorial functions, parameter types and step operations.
 * Keep each table in step with its enum in shujian/model.h.
 */
#include <string.h>

#include "shujian/model.h"

static const struct {
    const char *name;
    const char *label;
    const char *short_label; /* also accepted by sj_model_function_parse */
} functions[SJ_FUNCTION_COUNT] = {
    [SJ_FUNCTION_CRIMINAL] = {"criminal", "刑事检察", "刑事"},
    [SJ_FUNCTION_CIVIL] = {"civil", "民事检察", "民事"},
    [SJ_FUNCTION_ADMINISTRATIVE] = {"administrative", "行政检察", "行政"},
    [SJ_FUNCTION_PUBLIC_INTEREST] = {"public-interest", "公益诉讼检察", "公益诉讼"},
};

const char *sj_model_function_name(enum sj_model_function function)
{
    if ((int)function < 0 || function >= SJ_FUNCTION_COUNT)
        return "criminal";
    return functions[function].name;
}

const char *sj_model_function_label(enum sj_model_function function)
{
    if ((int)function < 0 || function >= SJ_FUNCTION_COUNT)
        return functions[SJ_FUNCTION_CRIMINAL].label;
    return functions[function].label;
}

int sj_model_function_parse(const char *name, enum sj_model_function *function)
{
    if (!name)
        return SJ_EINVAL;
    for (int i = 0; i < SJ_FUNCTION_COUNT; i++) {
        if (strcmp(name, functions[i].name) == 0 || strcmp(name, functions[i].label) == 0 ||
            strcmp(name, functions[i].short_label) == 0) {
            *function = (enum sj_model_function)i;
            return 0;
        }
    }
    return SJ_EINVAL;
}

const char *sj_param_type_name(enum sj_param_type type)
{
    static const char *const names[] = {
        [SJ_PARAM_INTEGER] = "integer", [SJ_PARAM_NUMBER] = "number",
        [SJ_PARAM_AMOUNT] = "amount",   [SJ_PARAM_DAYS] = "days",
        [SJ_PARAM_DATE] = "date",       [SJ_PARAM_TEXT] = "text",
        [SJ_PARAM_LIST] = "list",       [SJ_PARAM_BOOLEAN] = "boolean",
    };
    if ((int)type < 0 || (size_t)type >= SJ_ARRAY_LEN(names))
        return "text";
    return names[type];
}

const char *sj_model_op_name(enum sj_model_op op)
{
    static const char *const names[] = {
        [SJ_OP_FILTER] = "filter", [SJ_OP_MATCH] = "match",
        [SJ_OP_ABSENT] = "absent", [SJ_OP_COUNT] = "count",
        [SJ_OP_SUM] = "sum",       [SJ_OP_WITHIN] = "within",
        [SJ_OP_UNION] = "union",   [SJ_OP_USE_MODEL] = "use-model",
        [SJ_OP_SQL] = "sql",
    };
    if ((int)op < 0 || (size_t)op >= SJ_ARRAY_LEN(names))
        return "filter";
    return names[op];
}

const char *sj_model_step_op_name(const struct sj_model_step *st)
{
    if (st->op == SJ_OP_MATCH && st->is_exists)
        return "exists";
    return sj_model_op_name(st->op);
}

/*
 * model_preview.h - trying a model out before it is saved (the builder's 预览线索): run a
 * compiled plan read-only, group its rows by subject as a real run would, and hand back the
 * first leads and the total, without recording a run, leads or evidence.
 *
 * Ownership: strings passed in are borrowed; the result is owned by the caller and freed
 * with sj_model_preview_release.
 */
#ifndef SHUJIAN_MODEL_PREVIEW_H
#define SHUJIAN_MODEL_PREVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"
#include "shujian/model.h"
#include "shujian/store.h"

/* One would-be lead: its subject, its title filled as a run would fill it (amounts in
 * yuan), and how many distinct evidence rows it would carry. */
struct sj_preview_lead {
    char *subject;
    char *title;
    size_t evidence_count;
};

struct sj_model_preview {
    struct sj_preview_lead *leads; /* the first `limit` subjects, in query order; owned */
    size_t shown;                  /* entries in leads */
    size_t lead_count;             /* every subject the model would make a lead of */
    int64_t row_count;             /* rows the query returned */
    enum sj_kind
        subject_kind; /* as the model declares it (else as the query typed it), for masking */
    double seconds;
};

/* Runs plan (compiled from model by sj_model_compile on this store) and fills *out with at
 * most limit leads (0 = none, only the counts) and the totals. The query is interrupted once
 * it has run time_limit_ms (> 0) milliseconds: then SJ_ETOOBIG with a Chinese message saying
 * the preview took too long. Nothing is written to the workspace (apart from the key-column
 * indexes a first run of any plan builds, see plan.h). SJ_EDB / SJ_EINVAL / SJ_EFORMAT from
 * the query as sj_store_plan_query reports them. *out is zeroed first and released on error. */
int sj_model_preview(struct sj_store *store, const struct sj_model *model,
                     const struct sj_model_plan *plan, size_t limit, int64_t time_limit_ms,
                     struct sj_model_preview *out, struct sj_err *err);
void sj_model_preview_release(struct sj_model_preview *preview);

#endif

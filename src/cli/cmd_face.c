/*
 * cmd_face.c - `shujian face compare|enrol|verify|forget`: face verification on this machine
 * (docs/FACE.md). compare tells whether two photos show the same person; enrol stores a
 * subject's template sealed under the workspace's face key; verify checks a photo against it
 * as a check-in does and records the verdict; forget deletes the template. Photos are JPEG;
 * each must show exactly one face, big and sharp enough, or the command says why (exit 1).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "shujian/face.h"
#include "shujian/store.h"

#define PHOTO_MAX (32u << 20)

static const char usage[] =
    "usage: shujian face compare A.jpg B.jpg [--json]\n"
    "       shujian face enrol IMAGE --subject ID [--workspace DIR] [--json]\n"
    "       shujian face verify IMAGE --subject ID [--keep-photo] [--workspace DIR] [--json]\n"
    "       shujian face forget --subject ID [--workspace DIR]\n\n"
    "Face verification with the face-api networks, run here (no network, no cloud).\n"
    "  compare  whether two photos show the same person: descriptor distance below the\n"
    "           threshold (0.6). --json prints {\"distance\",\"same\",\"threshold\",\"ms\"};\n"
    "           ms is the time for both photos (decode, detect, landmarks, descriptor).\n"
    "  enrol    stores the face in IMAGE as subject ID's template (replacing an earlier one),\n"
    "           sealed with the workspace's key <workspace>/keys/face.key (made on first use).\n"
    "  verify   checks IMAGE against subject ID's template as a check-in does and records the\n"
    "           verdict; --keep-photo keeps the photo (sealed) under <workspace>/face-photos.\n"
    "  forget   deletes subject ID's template.\n"
    "A photo must show exactly one face, at least 80 pixels across and not blurred.\n"
    "Exit status: 0 same person / done, 1 different person or an unusable photo, 2 usage,\n"
    "3 failure. The weights are read from $SHUJIAN_FACE_MODELS or the installed copy.\n\n"
    "  --subject ID     the bail subject's id (a positive integer)\n"
    "  --workspace DIR  the workspace (default: $SHUJIAN_WORKSPACE, else ./shujian-data)\n"
    "  --json           print the result as JSON\n";

struct face_args {
    const char *verb;
    const char *files[2];
    int file_count;
    int64_t subject_id; /* 0: not given */
    const char *workspace;
    bool is_json, keep_photo;
};

static int parse(int argc, char **argv, struct face_args *a)
{
    memset(a, 0, sizeof *a);
    if (argc < 2)
        return sj_cli_usage_error(&sj_cmd_face, "missing the subcommand");
    a->verb = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--json") == 0) {
            a->is_json = true;
        } else if (strcmp(o, "--keep-photo") == 0) {
            a->keep_photo = true;
        } else if (strcmp(o, "--subject") == 0 || strcmp(o, "--workspace") == 0) {
            if (i + 1 >= argc)
                return sj_cli_usage_error(&sj_cmd_face, "%s needs a value", o);
            if (o[2] == 'w')
                a->workspace = argv[++i];
            else if (sj_cli_parse_count(argv[++i], &a->subject_id) < 0 || a->subject_id <= 0)
                return sj_cli_usage_error(&sj_cmd_face, "--subject needs a positive integer");
        } else if (o[0] == '-' && o[1] != '\0') {
            return sj_cli_usage_error(&sj_cmd_face, "unknown option %s", o);
        } else if (a->file_count < 2) {
            a->files[a->file_count++] = o;
        } else {
            return sj_cli_usage_error(&sj_cmd_face, "too many arguments");
        }
    }
    int files = strcmp(a->verb, "compare") == 0 ? 2 : strcmp(a->verb, "forget") == 0 ? 0 : 1;
    if (strcmp(a->verb, "compare") && strcmp(a->verb, "enrol") && strcmp(a->verb, "verify") &&
        strcmp(a->verb, "forget"))
        return sj_cli_usage_error(&sj_cmd_face, "unknown subcommand %s", a->verb);
    if (a->file_count != files)
        return sj_cli_usage_error(&sj_cmd_face, "%s takes %d photo(s)", a->verb, files);
    if (files != 2 && a->subject_id == 0)
        return sj_cli_usage_error(&sj_cmd_face, "%s needs --subject ID", a->verb);
    return SJ_EXIT_OK;
}

static int read_photo(const char *path, uint8_t **data, size_t *len, struct sj_err *err)
{
    FILE *f = fopen(path, "rb");
    *data = NULL;
    *len = 0;
    if (!f)
        return sj_err_set(err, SJ_EIO, "cannot open %s: %s", path, strerror(errno));
    *data = sj_xmalloc(PHOTO_MAX + 1);
    *len = fread(*data, 1, PHOTO_MAX + 1, f);
    int is_err = ferror(f);
    fclose(f);
    if (is_err)
        return sj_err_set(err, SJ_EIO, "cannot read %s", path);
    if (*len > PHOTO_MAX)
        return sj_err_set(err, SJ_ETOOBIG, "%s is larger than 32 MiB", path);
    return 0;
}

/* Prints root (taken) as sj_cli_print_json does, numbers to 10 significant digits. */
static void print_json(json_t *root)
{
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    fputc('\n', stdout);
}

/* A float's value to 6 decimals, so 0.6f prints as 0.6 and not 0.60000002384185791. */
static double round6(double x)
{
    return round(x * 1e6) / 1e6;
}

static double now_ms(int clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads and probes one photo; SJ_EXIT_NEGATIVE (after saying why) when it is unusable. */
static int probe_file(const struct sj_face_model *model, const char *path, struct sj_face_probe *p)
{
    struct sj_err err;
    uint8_t *data = NULL;
    size_t len = 0;
    sj_err_clear(&err);
    int rc = read_photo(path, &data, &len, &err);
    if (rc == 0)
        rc = sj_face_probe_jpeg(model, data, len, p, &err);
    free(data);
    if (rc < 0)
        return sj_cli_fail(&sj_cmd_face, &err);
    if (p->problem != SJ_FACE_USABLE) {
        fprintf(stderr, "shujian face: %s: %s (%s)\n", path, sj_face_problem_reason(p->problem),
                sj_face_problem_name(p->problem));
        return SJ_EXIT_NEGATIVE;
    }
    return SJ_EXIT_OK;
}

static int compare(const struct sj_face_model *model, const struct face_args *a)
{
    struct sj_face_probe p[2];
    double t0 = now_ms(CLOCK_MONOTONIC);
    int status = probe_file(model, a->files[0], &p[0]);
    if (status == SJ_EXIT_OK)
        status = probe_file(model, a->files[1], &p[1]);
    if (status != SJ_EXIT_OK)
        return status;
    double d = sj_face_distance(p[0].descriptor, p[1].descriptor);
    double ms = now_ms(CLOCK_MONOTONIC) - t0;
    bool is_same = d < SJ_FACE_THRESHOLD;
    if (a->is_json)
        print_json(json_pack("{s:f, s:b, s:f, s:f}", "distance", round6(d), "same", is_same,
                             "threshold", round6(SJ_FACE_THRESHOLD), "ms", round(ms * 10) / 10));
    else
        printf("%s: distance %.4f %s threshold %.2f (%.0f ms)\n",
               is_same ? "same person" : "different people", d,
               is_same ? "<" : ">=", (double)SJ_FACE_THRESHOLD, ms);
    return is_same ? SJ_EXIT_OK : SJ_EXIT_NEGATIVE;
}

static int enrol(const struct sj_face_model *model, struct sj_store *store,
                 const struct face_args *a, const uint8_t *photo, size_t len)
{
    struct sj_face_probe p;
    struct sj_err err;
    bool is_replaced = false;
    sj_err_clear(&err);
    if (sj_face_enrol(model, store, a->subject_id, photo, len, (int64_t)now_ms(CLOCK_REALTIME), &p,
                      &is_replaced, &err) < 0)
        return sj_cli_fail(&sj_cmd_face, &err);
    if (p.problem != SJ_FACE_USABLE) {
        fprintf(stderr, "shujian face: %s: %s (%s)\n", a->files[0],
                sj_face_problem_reason(p.problem), sj_face_problem_name(p.problem));
        return SJ_EXIT_NEGATIVE;
    }
    if (a->is_json)
        print_json(json_pack("{s:I, s:b, s:s, s:i, s:f}", "subject", (json_int_t)a->subject_id,
                             "replaced", is_replaced, "model", SJ_FACE_MODEL_VERSION, "face_side",
                             p.face_side, "sharpness", round(p.sharpness * 10) / 10));
    else
        printf("Enrolled the face of subject %" PRId64 "%s (face %d px, sharpness %.1f).\n",
               a->subject_id, is_replaced ? ", replacing the earlier template" : "", p.face_side,
               p.sharpness);
    return SJ_EXIT_OK;
}

static int verify(const struct sj_face_model *model, struct sj_store *store,
                  const struct face_args *a, const uint8_t *photo, size_t len)
{
    struct sj_face_verdict v;
    struct sj_err err;
    struct sj_face_verify_opts opts = {.keep_photo = a->keep_photo};
    sj_err_clear(&err);
    if (sj_face_verify(model, store, a->subject_id, photo, len, &opts, &v, &err) < 0)
        return sj_cli_fail(&sj_cmd_face, &err);
    if (a->is_json) {
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:f, s:s, s:I, s:f}", "decision",
                      sj_face_decision_name(v.decision), "problem", sj_face_problem_name(v.problem),
                      "reason", v.reason, "threshold", round6(v.threshold), "model", v.model,
                      "check", (json_int_t)v.check_id, "ms", round(v.ms * 10) / 10);
        json_object_set_new(o, "distance",
                            v.distance < 0 ? json_null() : json_real(round6(v.distance)));
        json_object_set_new(o, "kept_photo",
                            v.kept_photo[0] ? json_string(v.kept_photo) : json_null());
        print_json(o);
    } else if (v.decision == SJ_FACE_REJECTED) {
        printf("%s: %s (%s)\n", sj_face_decision_name(v.decision), v.reason,
               sj_face_problem_name(v.problem));
    } else {
        printf("%s: %s, distance %.4f, threshold %.2f (%.0f ms)\n",
               sj_face_decision_name(v.decision), v.reason, v.distance, (double)v.threshold, v.ms);
    }
    return v.decision == SJ_FACE_MATCH ? SJ_EXIT_OK : SJ_EXIT_NEGATIVE;
}

/* enrol, verify, forget: the workspace's commands. */
static int with_store(const struct sj_face_model *model, const struct face_args *a)
{
    struct sj_store *store = NULL;
    struct sj_err err;
    uint8_t *photo = NULL;
    size_t len = 0;
    sj_err_clear(&err);
    bool is_enrol = strcmp(a->verb, "enrol") == 0;
    int status = sj_cli_open_store(&sj_cmd_face, a->workspace, is_enrol, &store);
    if (status != SJ_EXIT_OK)
        return status;
    if (strcmp(a->verb, "forget") == 0) {
        if (sj_store_face_template_delete(store, a->subject_id, &err) < 0)
            status = sj_cli_fail(&sj_cmd_face, &err);
        else
            printf("Deleted the face template of subject %" PRId64 ".\n", a->subject_id);
    } else if (read_photo(a->files[0], &photo, &len, &err) < 0) {
        status = sj_cli_fail(&sj_cmd_face, &err);
    } else {
        status =
            is_enrol ? enrol(model, store, a, photo, len) : verify(model, store, a, photo, len);
    }
    free(photo);
    sj_store_close(store);
    return status;
}

static int run(int argc, char **argv)
{
    struct face_args a;
    struct sj_face_model *model = NULL;
    struct sj_err err;
    sj_err_clear(&err);
    if (sj_cli_wants_help(&sj_cmd_face, argc, argv))
        return SJ_EXIT_OK;
    int status = parse(argc, argv, &a);
    if (status != SJ_EXIT_OK)
        return status;
    if (strcmp(a.verb, "forget") != 0 && sj_face_model_open(NULL, &model, &err) < 0)
        return sj_cli_fail(&sj_cmd_face, &err);
    status = strcmp(a.verb, "compare") == 0 ? compare(model, &a) : with_store(model, &a);
    sj_face_model_close(model);
    return status;
}

const struct cmd sj_cmd_face = {
    .name = "face",
    .summary = "compare faces, enrol and verify a subject's face (docs/FACE.md)",
    .usage = usage,
    .run = run,
};

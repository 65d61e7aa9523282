/*
 * replay.c - runs a fuzz target over every file of a corpus directory, without libFuzzer,
 * so that `make test` replays the corpora under AddressSanitizer and UBSan with gcc.
 * Prints one TAP line per file; a crash or sanitizer report fails the whole program.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *data = NULL;
    size_t len = 0, alloc = 0;
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n > alloc) {
            alloc = (len + n) * 2;
            data = realloc(data, alloc);
            if (!data)
                abort();
        }
        memcpy(data + len, chunk, n);
        len += n;
    }
    fclose(f);
    /* Copy into an exact-size allocation so ASan catches reads past the end. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact)
        abort();
    if (len)
        memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *dir = opendir(argv[1]);
    if (!dir) {
        printf("1..1\nnot ok 1 - cannot open corpus %s\n", argv[1]);
        return 1;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        names = realloc(names, (count + 1) * sizeof *names);
        if (!names)
            abort();
        names[count++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare_names);
    printf("1..%zu\n", count);
    int failed = 0;
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
        if (replay_file(path) == 0) {
            printf("ok %zu - %s\n", i + 1, names[i]);
        } else {
            printf("not ok %zu - %s (unreadable)\n", i + 1, names[i]);
            failed = 1;
        }
        fflush(stdout);
        free(names[i]);
    }
    free(names);
    return failed;
}

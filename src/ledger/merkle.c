/*
 * merkle.c - the Merkle tree of RFC 6962 section 2.1 over leaf hashes: the tree head MTH of
 * any prefix, audit paths (2.1.1), consistency proofs (2.1.2), their verification as
 * RFC 9162 2.1.3.2 and 2.1.4.2 give it, and the incremental tree head used when appending
 * and verifying.
 *
 * Invariants: proofs list nodes from the leaf upwards, as the RFCs do; no proof has more
 * than SJ_LEDGER_PROOF_MAX nodes; a verification function accepts nothing it cannot
 * recompute to the given root(s) exactly.
 */
#include <string.h>

#include "ledger/ledger_int.h"

/* The largest power of two smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while ((k << 1) < n)
        k <<= 1;
    return k;
}

static int mth(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves, uint64_t n,
               struct sj_ledger_digest *out)
{
    if (n == 0)
        return sj_ledger_hash(alg, "", 0, out);
    if (n == 1) {
        *out = leaves[0];
        return 0;
    }
    uint64_t k = split_point(n);
    struct sj_ledger_digest left, right;
    int rc = mth(alg, leaves, k, &left);
    if (rc == 0)
        rc = mth(alg, leaves + k, n - k, &right);
    if (rc == 0)
        rc = sj_ledger_hash_node(alg, &left, &right, out);
    return rc;
}

int sj_ledger_tree_hash(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves, uint64_t n,
                        struct sj_ledger_digest *out)
{
    if (!sj_ledger_alg_is_known(alg))
        return SJ_EINVAL;
    return mth(alg, leaves, n, out);
}

/* PATH(m, D[0:n]) appended to proof at *len. */
static int audit_path(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves, uint64_t n,
                      uint64_t m, struct sj_ledger_digest *proof, size_t *len)
{
    if (n <= 1)
        return 0;
    uint64_t k = split_point(n);
    int rc;
    if (m < k) {
        rc = audit_path(alg, leaves, k, m, proof, len);
        if (rc == 0)
            rc = mth(alg, leaves + k, n - k, &proof[(*len)++]);
    } else {
        rc = audit_path(alg, leaves + k, n - k, m - k, proof, len);
        if (rc == 0)
            rc = mth(alg, leaves, k, &proof[(*len)++]);
    }
    return rc;
}

int sj_ledger_prove_inclusion(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves,
                              uint64_t n, uint64_t index, struct sj_ledger_digest *proof,
                              size_t *proof_len)
{
    *proof_len = 0;
    if (index >= n || n > (uint64_t)INT64_MAX || !sj_ledger_alg_is_known(alg))
        return SJ_EINVAL;
    return audit_path(alg, leaves, n, index, proof, proof_len);
}

/* SUBPROOF(m, D[0:n], is_complete) appended to proof at *len. */
static int subproof(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves, uint64_t n,
                    uint64_t m, bool is_complete, struct sj_ledger_digest *proof, size_t *len)
{
    if (m == n) {
        if (is_complete)
            return 0;
        return mth(alg, leaves, n, &proof[(*len)++]);
    }
    uint64_t k = split_point(n);
    int rc;
    if (m <= k) {
        rc = subproof(alg, leaves, k, m, is_complete, proof, len);
        if (rc == 0)
            rc = mth(alg, leaves + k, n - k, &proof[(*len)++]);
    } else {
        rc = subproof(alg, leaves + k, n - k, m - k, false, proof, len);
        if (rc == 0)
            rc = mth(alg, leaves, k, &proof[(*len)++]);
    }
    return rc;
}

int sj_ledger_prove_consistency(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves,
                                uint64_t n, uint64_t size1, struct sj_ledger_digest *proof,
                                size_t *proof_len)
{
    *proof_len = 0;
    if (size1 > n || n > (uint64_t)INT64_MAX || !sj_ledger_alg_is_known(alg))
        return SJ_EINVAL;
    if (size1 == 0 || size1 == n)
        return 0;
    return subproof(alg, leaves, n, size1, true, proof, proof_len);
}

/* Right-shifts fn and sn together until fn's lowest bit is set or fn is 0. */
static void shift_to_set_bit(uint64_t *fn, uint64_t *sn)
{
    while ((*fn & 1) == 0 && *fn != 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

int sj_ledger_verify_inclusion(enum sj_ledger_alg alg, uint64_t index, uint64_t tree_size,
                               const struct sj_ledger_digest *leaf_hash,
                               const struct sj_ledger_digest *proof, size_t proof_len,
                               const struct sj_ledger_digest *root)
{
    if (index >= tree_size || proof_len > SJ_LEDGER_PROOF_MAX)
        return SJ_EFORMAT;
    uint64_t fn = index, sn = tree_size - 1;
    struct sj_ledger_digest r = *leaf_hash;
    for (size_t i = 0; i < proof_len; i++) {
        int rc;
        if (sn == 0)
            return SJ_EFORMAT;
        if ((fn & 1) || fn == sn) {
            rc = sj_ledger_hash_node(alg, &proof[i], &r, &r);
            if ((fn & 1) == 0)
                shift_to_set_bit(&fn, &sn);
        } else {
            rc = sj_ledger_hash_node(alg, &r, &proof[i], &r);
        }
        if (rc < 0)
            return rc;
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sj_ledger_digest_eq(&r, root) ? 0 : SJ_EFORMAT;
}

/* Steps 5-7 of RFC 9162 2.1.4.2 over path[0..len) (path[0] the starting node). */
static int consistency_walk(enum sj_ledger_alg alg, uint64_t fn, uint64_t sn,
                            const struct sj_ledger_digest *path, size_t len,
                            const struct sj_ledger_digest *root1,
                            const struct sj_ledger_digest *root2)
{
    struct sj_ledger_digest fr = path[0], sr = path[0];
    for (size_t i = 1; i < len; i++) {
        int rc;
        if (sn == 0)
            return SJ_EFORMAT;
        if ((fn & 1) || fn == sn) {
            rc = sj_ledger_hash_node(alg, &path[i], &fr, &fr);
            if (rc == 0)
                rc = sj_ledger_hash_node(alg, &path[i], &sr, &sr);
            if ((fn & 1) == 0)
                shift_to_set_bit(&fn, &sn);
        } else {
            rc = sj_ledger_hash_node(alg, &sr, &path[i], &sr);
        }
        if (rc < 0)
            return rc;
        fn >>= 1;
        sn >>= 1;
    }
    bool ok = sn == 0 && sj_ledger_digest_eq(&fr, root1) && sj_ledger_digest_eq(&sr, root2);
    return ok ? 0 : SJ_EFORMAT;
}

int sj_ledger_verify_consistency(enum sj_ledger_alg alg, uint64_t size1, uint64_t size2,
                                 const struct sj_ledger_digest *proof, size_t proof_len,
                                 const struct sj_ledger_digest *root1,
                                 const struct sj_ledger_digest *root2)
{
    struct sj_ledger_digest path[SJ_LEDGER_PROOF_MAX + 1];
    if (size1 > size2 || proof_len > SJ_LEDGER_PROOF_MAX)
        return SJ_EFORMAT;
    if (size1 == size2)
        return proof_len == 0 && sj_ledger_digest_eq(root1, root2) ? 0 : SJ_EFORMAT;
    if (size1 == 0)
        return proof_len == 0 ? 0 : SJ_EFORMAT;
    if (proof_len == 0)
        return SJ_EFORMAT;
    size_t len = 0;
    if ((size1 & (size1 - 1)) == 0) /* a power of two: the old root is the first node */
        path[len++] = *root1;
    memcpy(&path[len], proof, proof_len * sizeof *proof);
    len += proof_len;
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    return consistency_walk(alg, fn, sn, path, len, root1, root2);
}

/* ---- Incremental tree head ------------------------------------------------------------------ */

void sj_ledger_tree_init(struct sj_ledger_tree *tree, enum sj_ledger_alg alg)
{
    memset(tree, 0, sizeof *tree);
    tree->alg = alg;
}

int sj_ledger_tree_push(struct sj_ledger_tree *tree, const struct sj_ledger_digest *leaf_hash)
{
    if (!sj_ledger_alg_is_known(tree->alg))
        return SJ_EINVAL;
    if (tree->size >= (uint64_t)INT64_MAX)
        return SJ_ETOOBIG;
    tree->nodes[tree->count++] = *leaf_hash;
    /* Each trailing 1 bit of the old size is a perfect subtree the new leaf completes. */
    for (uint64_t s = tree->size; s & 1; s >>= 1) {
        struct sj_ledger_digest *left = &tree->nodes[tree->count - 2];
        int rc = sj_ledger_hash_node(tree->alg, left, &tree->nodes[tree->count - 1], left);
        tree->count--;
        if (rc < 0)
            return rc; /* an OpenSSL failure: the caller must discard the tree */
    }
    tree->size++;
    return 0;
}

int sj_ledger_tree_root(const struct sj_ledger_tree *tree, struct sj_ledger_digest *root)
{
    if (tree->count == 0)
        return sj_ledger_hash(tree->alg, "", 0, root);
    struct sj_ledger_digest r = tree->nodes[tree->count - 1];
    for (int i = tree->count - 2; i >= 0; i--) {
        int rc = sj_ledger_hash_node(tree->alg, &tree->nodes[i], &r, &r);
        if (rc < 0)
            return rc;
    }
    *root = r;
    return 0;
}

/*
 * test_ledger.c - unit tests of src/ledger's pure parts: the RFC 6962 Merkle tree against
 * published known answers with every corrupted proof rejected, SM3 and signed-note known
 * answers, the checkpoint parser, and the canonical entry encoding. Whole ledgers in real
 * workspaces, and the 10,000 random tamperings, are in test_ledger_tamper.c.
 *
 * Where the known answers come from:
 * - Merkle tree: the 8 leaves, the roots of sizes 1..8 and the inclusion and consistency
 *   proofs are those of transparency-dev/merkle, proof/verify_test.go (the vectors of
 *   Certificate Transparency's merkle_tree_test); the corruptions mirror its
 *   corruptInclusionProof / corruptConsistencyProof and TestVerifyConsistency table.
 * - Signed notes: the PeterNeumann / EnochRoot keys and signatures of golang.org/x/mod,
 *   sumdb/note/note_test.go (the format C2SP signed-note standardises).
 * - SM3: GB/T 32905-2016 examples 1 ("abc") and 2 ("abcd" x 16).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "ledger/ledger_int.h" /* key files and base64, tested directly */
#include "shujian/ledger.h"

/* ---- Helpers ------------------------------------------------------------------------------ */

static struct sj_ledger_digest dh(const char *hex)
{
    struct sj_ledger_digest d;
    size_t len = 0;
    assert_int_equal(sodium_hex2bin(d.bytes, sizeof d.bytes, hex, strlen(hex), NULL, &len, NULL),
                     0);
    assert_int_equal(len, SJ_LEDGER_HASH_LEN);
    return d;
}

static void assert_digest(const struct sj_ledger_digest *d, const char *hex)
{
    char have[2 * SJ_LEDGER_HASH_LEN + 1];
    sj_ledger_digest_hex(d, have);
    assert_string_equal(have, hex);
}

/* ---- RFC 6962 known answers (transparency-dev/merkle proof/verify_test.go) ---------------- */

static const char *const leaf_hex[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

static const char *const root_hex[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

#define EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SOME_HEX "abacaba000000000000000000000000000000000000000000060061e00123456"

struct proof_vector {
    uint64_t a, b; /* inclusion: 1-based leaf, size; consistency: size1, size2 */
    size_t len;
    const char *nodes[3];
};

static const struct proof_vector inclusion_vectors[] = {
    {1, 1, 0, {NULL}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {3, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {2,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const struct proof_vector consistency_vectors[] = {
    {1, 1, 0, {NULL}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

static void vector_leaves(struct sj_ledger_digest leaves[8])
{
    for (int i = 0; i < 8; i++) {
        uint8_t data[16];
        size_t len = 0;
        assert_int_equal(
            sodium_hex2bin(data, sizeof data, leaf_hex[i], strlen(leaf_hex[i]), NULL, &len, NULL),
            0);
        assert_int_equal(sj_ledger_hash_leaf(SJ_LEDGER_SHA256, data, len, &leaves[i]), 0);
    }
}

static void test_rfc6962_roots(void **state)
{
    (void)state;
    struct sj_ledger_digest leaves[8], root;
    struct sj_ledger_tree tree;
    vector_leaves(leaves);
    assert_int_equal(sj_ledger_tree_hash(SJ_LEDGER_SHA256, leaves, 0, &root), 0);
    assert_digest(&root, EMPTY_HEX);
    sj_ledger_tree_init(&tree, SJ_LEDGER_SHA256);
    assert_int_equal(sj_ledger_tree_root(&tree, &root), 0);
    assert_digest(&root, EMPTY_HEX);
    for (uint64_t n = 1; n <= 8; n++) {
        assert_int_equal(sj_ledger_tree_hash(SJ_LEDGER_SHA256, leaves, n, &root), 0);
        assert_digest(&root, root_hex[n - 1]);
        assert_int_equal(sj_ledger_tree_push(&tree, &leaves[n - 1]), 0);
        assert_int_equal(sj_ledger_tree_root(&tree, &root), 0);
        assert_digest(&root, root_hex[n - 1]);
    }
    /* The node hash is H(0x01 || left || right): the root of two leaves by hand. */
    uint8_t buf[1 + 2 * SJ_LEDGER_HASH_LEN] = {0x01};
    memcpy(buf + 1, leaves[0].bytes, SJ_LEDGER_HASH_LEN);
    memcpy(buf + 1 + SJ_LEDGER_HASH_LEN, leaves[1].bytes, SJ_LEDGER_HASH_LEN);
    assert_int_equal(sj_ledger_hash(SJ_LEDGER_SHA256, buf, sizeof buf, &root), 0);
    assert_digest(&root, root_hex[1]);
}

/* The probes of corruptInclusionProof, plus every single-bit flip of every proof node and of
 * the root, and the proof with a node removed from either end or added at either end. */
static void assert_inclusion_rejected(enum sj_ledger_alg alg, uint64_t index, uint64_t size,
                                      const struct sj_ledger_digest *leaf,
                                      const struct sj_ledger_digest *proof, size_t len,
                                      const struct sj_ledger_digest *root)
{
    struct sj_ledger_digest p[SJ_LEDGER_PROOF_MAX + 1], bad = *root, other = dh(SOME_HEX);
    struct sj_ledger_digest wrong_leaf, empty = dh(EMPTY_HEX), zero = {{0}};
    sj_ledger_hash_leaf(alg, "WrongLeaf", 9, &wrong_leaf);
    assert_int_not_equal(sj_ledger_verify_inclusion(alg, index - 1, size, leaf, proof, len, root),
                         0);
    assert_int_not_equal(sj_ledger_verify_inclusion(alg, index + 1, size, leaf, proof, len, root),
                         0);
    assert_int_not_equal(sj_ledger_verify_inclusion(alg, index ^ 2, size, leaf, proof, len, root),
                         0);
    assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size * 2, leaf, proof, len, root),
                         0);
    assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size / 2, leaf, proof, len, root),
                         0);
    assert_int_not_equal(
        sj_ledger_verify_inclusion(alg, index, size, &wrong_leaf, proof, len, root), 0);
    assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size, leaf, proof, len, &empty), 0);
    assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size, leaf, proof, len, &other), 0);
    const struct sj_ledger_digest *extra[] = {&zero, root};
    for (int k = 0; k < 2; k++) {
        memcpy(p, proof, len * sizeof *p);
        p[len] = *extra[k]; /* trailing garbage */
        assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size, leaf, p, len + 1, root),
                             0);
        p[0] = *extra[k]; /* preceding garbage */
        memcpy(p + 1, proof, len * sizeof *p);
        assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size, leaf, p, len + 1, root),
                             0);
    }
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8 * SJ_LEDGER_HASH_LEN; bit++) {
            memcpy(p, proof, len * sizeof *p);
            p[i].bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size, leaf, p, len, root),
                                 0);
        }
    }
    for (int bit = 0; bit < 8 * SJ_LEDGER_HASH_LEN; bit++) {
        bad = *root;
        bad.bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size, leaf, proof, len, &bad),
                             0);
    }
    if (len > 0) {
        assert_int_not_equal(
            sj_ledger_verify_inclusion(alg, index, size, leaf, proof, len - 1, root),
            0); /* truncated */
        assert_int_not_equal(
            sj_ledger_verify_inclusion(alg, index, size, leaf, proof + 1, len - 1, root), 0);
    }
    if (len > 1) { /* inserted component */
        p[0] = proof[0];
        p[1] = other;
        memcpy(p + 2, proof + 1, (len - 1) * sizeof *p);
        assert_int_not_equal(sj_ledger_verify_inclusion(alg, index, size, leaf, p, len + 1, root),
                             0);
    }
}

static void test_rfc6962_inclusion(void **state)
{
    (void)state;
    struct sj_ledger_digest leaves[8], proof[SJ_LEDGER_PROOF_MAX], want[3], root;
    vector_leaves(leaves);
    for (size_t v = 0; v < SJ_ARRAY_LEN(inclusion_vectors); v++) {
        const struct proof_vector *t = &inclusion_vectors[v];
        size_t len = 99;
        uint64_t index = t->a - 1;
        for (size_t i = 0; i < t->len; i++)
            want[i] = dh(t->nodes[i]);
        assert_int_equal(
            sj_ledger_prove_inclusion(SJ_LEDGER_SHA256, leaves, t->b, index, proof, &len), 0);
        assert_int_equal(len, t->len);
        assert_memory_equal(proof, want, len * sizeof *proof);
        root = dh(root_hex[t->b - 1]);
        assert_int_equal(sj_ledger_verify_inclusion(SJ_LEDGER_SHA256, index, t->b, &leaves[index],
                                                    want, t->len, &root),
                         0);
        assert_inclusion_rejected(SJ_LEDGER_SHA256, index, t->b, &leaves[index], want, t->len,
                                  &root);
    }
    /* TestVerifyInclusion: impossible (index, size) pairs with an empty proof. */
    struct sj_ledger_digest some = dh(SOME_HEX), empty = dh(EMPTY_HEX);
    const uint64_t probes[][2] = {{0, 0}, {0, 1}, {1, 0}, {2, 1}};
    for (size_t i = 0; i < SJ_ARRAY_LEN(probes); i++)
        assert_int_not_equal(sj_ledger_verify_inclusion(SJ_LEDGER_SHA256, probes[i][0],
                                                        probes[i][1], &some, NULL, 0, &empty),
                             0);
    assert_int_equal(sj_ledger_prove_inclusion(SJ_LEDGER_SHA256, leaves, 8, 8, proof, &(size_t){0}),
                     SJ_EINVAL);
}

static void assert_consistency_rejected(enum sj_ledger_alg alg, uint64_t size1, uint64_t size2,
                                        const struct sj_ledger_digest *proof, size_t len,
                                        const struct sj_ledger_digest *root1,
                                        const struct sj_ledger_digest *root2)
{
    struct sj_ledger_digest p[SJ_LEDGER_PROOF_MAX + 1], bad, zero = {{0}};
    const struct sj_ledger_digest *r1 = root1, *r2 = root2;
    assert_int_not_equal(sj_ledger_verify_consistency(alg, size1 - 1, size2, proof, len, r1, r2),
                         0);
    assert_int_not_equal(sj_ledger_verify_consistency(alg, size1 + 1, size2, proof, len, r1, r2),
                         0);
    assert_int_not_equal(sj_ledger_verify_consistency(alg, size1 ^ 2, size2, proof, len, r1, r2),
                         0);
    assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2 * 2, proof, len, r1, r2),
                         0);
    assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2 / 2, proof, len, r1, r2),
                         0);
    assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2, proof, len, r2, r1), 0);
    assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2, proof, 0, r1, r2), 0);
    const struct sj_ledger_digest *extra[] = {&zero, r1, r2, &proof[0]};
    for (int k = 0; k < 4; k++) {
        memcpy(p, proof, len * sizeof *p);
        p[len] = *extra[k];
        assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2, p, len + 1, r1, r2),
                             0);
        p[0] = *extra[k];
        memcpy(p + 1, proof, len * sizeof *p);
        assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2, p, len + 1, r1, r2),
                             0);
    }
    assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2, proof, len - 1, r1, r2),
                         0);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8 * SJ_LEDGER_HASH_LEN; bit++) {
            memcpy(p, proof, len * sizeof *p);
            p[i].bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2, p, len, r1, r2),
                                 0);
        }
    }
    for (int bit = 0; bit < 8 * SJ_LEDGER_HASH_LEN; bit++) {
        bad = *r1;
        bad.bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2, proof, len, &bad, r2),
                             0);
        bad = *r2;
        bad.bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_not_equal(sj_ledger_verify_consistency(alg, size1, size2, proof, len, r1, &bad),
                             0);
    }
}

static void test_rfc6962_consistency(void **state)
{
    (void)state;
    struct sj_ledger_digest leaves[8], proof[SJ_LEDGER_PROOF_MAX], want[3];
    vector_leaves(leaves);
    for (size_t v = 0; v < SJ_ARRAY_LEN(consistency_vectors); v++) {
        const struct proof_vector *t = &consistency_vectors[v];
        size_t len = 99;
        for (size_t i = 0; i < t->len; i++)
            want[i] = dh(t->nodes[i]);
        assert_int_equal(
            sj_ledger_prove_consistency(SJ_LEDGER_SHA256, leaves, t->b, t->a, proof, &len), 0);
        assert_int_equal(len, t->len);
        assert_memory_equal(proof, want, len * sizeof *proof);
        struct sj_ledger_digest r1 = dh(root_hex[t->a - 1]), r2 = dh(root_hex[t->b - 1]);
        assert_int_equal(
            sj_ledger_verify_consistency(SJ_LEDGER_SHA256, t->a, t->b, want, t->len, &r1, &r2), 0);
        if (t->len > 0)
            assert_consistency_rejected(SJ_LEDGER_SHA256, t->a, t->b, want, t->len, &r1, &r2);
    }
}

/* TestVerifyConsistency's table: sizes always consistent, time travel, empty proofs. */
static void test_consistency_edges(void **state)
{
    (void)state;
    struct sj_ledger_digest r1, r2, empty = dh(EMPTY_HEX);
    sj_ledger_hash(SJ_LEDGER_SHA256, "don't care 1", 12, &r1);
    sj_ledger_hash(SJ_LEDGER_SHA256, "don't care 2", 12, &r2);
    const struct {
        uint64_t size1, size2;
        const struct sj_ledger_digest *root1, *root2;
        size_t proof_len;
        int want;
    } cases[] = {
        {0, 0, &r1, &r2, 0, SJ_EFORMAT},
        {1, 1, &r1, &r2, 0, SJ_EFORMAT},
        {0, 0, &r1, &r1, 0, 0},
        {0, 1, &r1, &r2, 0, 0},
        {1, 1, &r2, &r2, 0, 0},
        {1, 0, &r1, &r2, 0, SJ_EFORMAT},
        {2, 1, &r1, &r2, 0, SJ_EFORMAT},
        {1, 2, &r1, &r2, 0, SJ_EFORMAT},
        {0, 0, &empty, &r2, 0, SJ_EFORMAT},
        {1, 1, &empty, &r2, 0, SJ_EFORMAT},
        {0, 0, &empty, &empty, 1, SJ_EFORMAT},
        {0, 1, &empty, &empty, 1, SJ_EFORMAT},
        {1, 1, &empty, &empty, 1, SJ_EFORMAT},
    };
    for (size_t i = 0; i < SJ_ARRAY_LEN(cases); i++)
        assert_int_equal(sj_ledger_verify_consistency(SJ_LEDGER_SHA256, cases[i].size1,
                                                      cases[i].size2, &empty, cases[i].proof_len,
                                                      cases[i].root1, cases[i].root2),
                         cases[i].want);
}

/* Every inclusion and consistency proof of trees up to 70 leaves, both algorithms: made by
 * one side, checked by the other, with the tree heads of the recursive definition and of
 * the incremental tree equal at every size. */
static void test_proofs_all_sizes(void **state)
{
    (void)state;
    enum { N = 70 };
    static struct sj_ledger_digest leaves[N], roots[N + 1];
    struct sj_ledger_digest proof[SJ_LEDGER_PROOF_MAX], root;
    const enum sj_ledger_alg algs[] = {SJ_LEDGER_SHA256, SJ_LEDGER_SM3};
    for (size_t a = 0; a < SJ_ARRAY_LEN(algs); a++) {
        struct sj_ledger_tree tree;
        sj_ledger_tree_init(&tree, algs[a]);
        for (int i = 0; i <= N; i++) {
            assert_int_equal(sj_ledger_tree_hash(algs[a], leaves, (uint64_t)i, &roots[i]), 0);
            assert_int_equal(sj_ledger_tree_root(&tree, &root), 0);
            assert_memory_equal(&root, &roots[i], sizeof root);
            if (i < N) {
                uint32_t v = (uint32_t)i;
                sj_ledger_hash_leaf(algs[a], &v, sizeof v, &leaves[i]);
                assert_int_equal(sj_ledger_tree_push(&tree, &leaves[i]), 0);
            }
        }
        for (uint64_t n = 1; n <= N; n++) {
            for (uint64_t m = 0; m <= n; m++) {
                size_t len = 0;
                if (m < n) {
                    assert_int_equal(sj_ledger_prove_inclusion(algs[a], leaves, n, m, proof, &len),
                                     0);
                    assert_int_equal(sj_ledger_verify_inclusion(algs[a], m, n, &leaves[m], proof,
                                                                len, &roots[n]),
                                     0);
                }
                assert_int_equal(sj_ledger_prove_consistency(algs[a], leaves, n, m, proof, &len),
                                 0);
                assert_int_equal(
                    sj_ledger_verify_consistency(algs[a], m, n, proof, len, &roots[m], &roots[n]),
                    0);
                if (len > 0 && n <= 12 && m > 0)
                    assert_consistency_rejected(algs[a], m, n, proof, len, &roots[m], &roots[n]);
            }
        }
    }
}

/* ---- SM3 (GB/T 32905-2016) ------------------------------------------------------------------- */

static void test_sm3_known_answers(void **state)
{
    (void)state;
    struct sj_ledger_digest d, leaf;
    char abcd[65];
    for (int i = 0; i < 16; i++)
        memcpy(abcd + 4 * i, "abcd", 4);
    assert_int_equal(sj_ledger_hash(SJ_LEDGER_SM3, "abc", 3, &d), 0);
    assert_digest(&d, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    assert_int_equal(sj_ledger_hash(SJ_LEDGER_SM3, abcd, 64, &d), 0);
    assert_digest(&d, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    /* The leaf hash is SM3 of 0x00 || data. */
    assert_int_equal(sj_ledger_hash(SJ_LEDGER_SM3, "\0abc", 4, &d), 0);
    assert_int_equal(sj_ledger_hash_leaf(SJ_LEDGER_SM3, "abc", 3, &leaf), 0);
    assert_memory_equal(&d, &leaf, sizeof d);
    assert_int_equal(sj_ledger_hash(SJ_LEDGER_SHA256, "abc", 3, &d), 0);
    assert_digest(&d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    enum sj_ledger_alg alg;
    assert_int_equal(sj_ledger_alg_parse("sm3", &alg), 0);
    assert_int_equal(alg, SJ_LEDGER_SM3);
    assert_int_equal(sj_ledger_alg_parse("SM3", &alg), SJ_EINVAL);
    assert_int_equal(sj_ledger_hash((enum sj_ledger_alg)7, "abc", 3, &d), SJ_EINVAL);
}

/* ---- Signed notes (golang.org/x/mod sumdb/note/note_test.go) ------------------------------- */

#define PETER_VKEY "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY                                                                                 \
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz\n"
#define PETER_SIG                                                                                  \
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
#define NOTE_TEXT                                                                                  \
    "If you think cryptography is the answer to your problem,\n"                                   \
    "then you don't know what your problem is.\n"

static void decode_vkey(const char *b64, uint8_t pk[32])
{
    uint8_t body[40];
    assert_int_equal(sj_ledger_base64_decode(sj_str_from_cstr(b64), body, sizeof body), 33);
    assert_int_equal(body[0], 0x01);
    memcpy(pk, body + 1, 32);
}

static void test_note_known_answers(void **state)
{
    (void)state;
    uint8_t pk[32], enoch[32], sig[80], sk[64], mine[64];
    assert_int_equal(sodium_init() >= 0, 1);
    decode_vkey(PETER_VKEY, pk);
    decode_vkey("ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop", enoch);
    assert_int_equal(sj_ledger_key_id("PeterNeumann", pk), 0xc74f20a3);
    assert_int_equal(sj_ledger_key_id("EnochRoot", enoch), 0xaf0cfe78);
    /* The signature line is base64(key ID || Ed25519 signature of the note text). */
    assert_int_equal(sj_ledger_base64_decode(sj_str_from_cstr(PETER_SIG), sig, sizeof sig), 68);
    assert_memory_equal(sig, "\xc7\x4f\x20\xa3", 4);
    assert_int_equal(
        crypto_sign_verify_detached(sig + 4, (const uint8_t *)NOTE_TEXT, strlen(NOTE_TEXT), pk), 0);
    /* The key file form of the same key gives the same key pair and signature. */
    char path[] = "/tmp/sj-ledger-key-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, PETER_SKEY, strlen(PETER_SKEY)), (ssize_t)strlen(PETER_SKEY));
    close(fd);
    struct sj_err err;
    assert_int_equal(sj_ledger_key_read(path, "PeterNeumann", sk, &err), 0);
    assert_memory_equal(sk + 32, pk, 32);
    crypto_sign_detached(mine, NULL, (const uint8_t *)NOTE_TEXT, strlen(NOTE_TEXT), sk);
    assert_memory_equal(mine, sig + 4, 64);
    assert_int_equal(sj_ledger_key_read(path, "EnochRoot", sk, &err), SJ_EFORMAT);
    unlink(path);
    assert_int_equal(sj_ledger_key_read(path, "PeterNeumann", sk, &err), SJ_ENOTFOUND);
}

/* Peter's secret key, for deterministic checkpoints. */
static void peter_sk(uint8_t sk[64])
{
    uint8_t body[40], pk[32];
    struct sj_str b64 = sj_str_from_cstr("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
    assert_int_equal(sj_ledger_base64_decode(b64, body, sizeof body), 33);
    crypto_sign_seed_keypair(pk, sk, body + 1);
}

static void test_checkpoint_sign_parse(void **state)
{
    (void)state;
    uint8_t sk[64], sig[4 + 64];
    struct sj_ledger_digest root = dh(root_hex[7]);
    struct sj_ledger_checkpoint cp;
    struct sj_buf note, want;
    struct sj_err err;
    peter_sk(sk);
    sj_buf_init(&note, 0);
    sj_buf_init(&want, 0);
    assert_int_equal(sj_ledger_checkpoint_sign("PeterNeumann", 8, &root, sk, &note), 0);
    /* Built by hand from the C2SP formats. */
    sj_buf_append_cstr(&want, "PeterNeumann\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
    memcpy(sig, "\xc7\x4f\x20\xa3", 4);
    crypto_sign_detached(sig + 4, NULL, (const uint8_t *)want.data, want.len, sk);
    sj_buf_append_cstr(&want, "\n\xe2\x80\x94 PeterNeumann ");
    sj_ledger_base64_append(&want, sig, sizeof sig);
    sj_buf_putc(&want, '\n');
    assert_string_equal(sj_buf_cstr(&note), sj_buf_cstr(&want));
    assert_int_equal(sj_ledger_checkpoint_parse(sj_buf_str(&note), &cp, &err), 0);
    assert_string_equal(cp.origin, "PeterNeumann");
    assert_int_equal(cp.tree_size, 8);
    assert_memory_equal(&cp.root, &root, sizeof root);
    assert_int_equal(cp.sig_count, 1);
    assert_int_equal(
        sj_ledger_checkpoint_check(&cp, sj_buf_str(&note), "PeterNeumann", sk + 32, &err), 0);
    assert_int_equal(sj_ledger_checkpoint_check(&cp, sj_buf_str(&note), "EnochRoot", sk + 32, &err),
                     SJ_ENOTFOUND);
    sj_ledger_checkpoint_release(&cp);
    /* Another signer's line and an extension line are fine; a changed text is not. */
    sj_buf_reset(&want);
    sj_buf_append_cstr(&want, sj_buf_cstr(&note));
    sj_buf_append_cstr(&want, "\xe2\x80\x94 EnochRoot "
                              "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
                              "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n");
    assert_int_equal(sj_ledger_checkpoint_parse(sj_buf_str(&want), &cp, &err), 0);
    assert_int_equal(cp.sig_count, 2);
    assert_int_equal(
        sj_ledger_checkpoint_check(&cp, sj_buf_str(&want), "PeterNeumann", sk + 32, &err), 0);
    sj_ledger_checkpoint_release(&cp);
    want.data[13] = '9'; /* size 8 -> 9: parses, but the signature no longer holds */
    assert_int_equal(sj_ledger_checkpoint_parse(sj_buf_str(&want), &cp, &err), 0);
    assert_int_equal(
        sj_ledger_checkpoint_check(&cp, sj_buf_str(&want), "PeterNeumann", sk + 32, &err),
        SJ_EPERM);
    sj_ledger_checkpoint_release(&cp);
    sj_buf_release(&note);
    sj_buf_release(&want);
}

static void test_checkpoint_parse_rejects(void **state)
{
    (void)state;
#define SIG "\xe2\x80\x94 k " PETER_SIG "\n"
#define ROOT "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="
    static const char *const bad[] = {
        "",
        "o\n8\n" ROOT "\n",                           /* no signatures */
        "o\n8\n" ROOT "\n\n",                         /* blank line, no signature */
        "o\n8\n" ROOT "\n\n" SIG "x",                 /* no final newline */
        "o\n08\n" ROOT "\n\n" SIG,                    /* leading zero */
        "o\n-1\n" ROOT "\n\n" SIG,                    /* not a number */
        "o\n9223372036854775808\n" ROOT "\n\n" SIG,   /* above INT64_MAX */
        "o\n8\n" ROOT "=\n\n" SIG,                    /* bad base64 */
        "o\n8\nXcnaeacGWamtVZy3Ad7Zoqudgjqt\n\n" SIG, /* short root */
        "o\n8\nXcnaeacGWamtVZy3Ad7Zoqudgjqt L0lgz+Nw7/RgQyg=\n\n" SIG, /* a space */
        "o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n\n" SIG,  /* non-canonical */
        "o\n8\n\n" ROOT "\n\n" SIG,                                    /* empty line in the body */
        "\n8\n" ROOT "\n\n" SIG,                                       /* empty origin */
        "o\n8\n\n" SIG,                                                /* two lines */
        "o\t\n8\n" ROOT "\n\n" SIG,                                    /* control character */
        "o\xff\n8\n" ROOT "\n\n" SIG,                                  /* not UTF-8 */
        "o\n8\n" ROOT "\n\n- k " PETER_SIG "\n",                       /* no em dash */
        "o\n8\n" ROOT "\n\n\xe2\x80\x94 a+b " PETER_SIG "\n",          /* + in the key name */
        "o\n8\n" ROOT "\n\n\xe2\x80\x94 Bad Name " PETER_SIG "\n",
        "o\n8\n" ROOT "\n\n\xe2\x80\x94 k AAAA\n", /* signature shorter than 5 bytes */
        "o\n8\n" ROOT "\n\n" SIG "Unexpected line.\n",
    };
    struct sj_ledger_checkpoint cp;
    struct sj_err err;
    for (size_t i = 0; i < SJ_ARRAY_LEN(bad); i++) {
        int rc = sj_ledger_checkpoint_parse(sj_str_from_cstr(bad[i]), &cp, &err);
        if (rc != SJ_EFORMAT)
            fail_msg("case %zu parsed (%d): %s", i, rc, bad[i]);
        sj_ledger_checkpoint_release(&cp);
    }
    /* 33 signature lines are too many; 32 are fine; extension lines are counted. */
    struct sj_buf b;
    sj_buf_init(&b, 0);
    sj_buf_append_cstr(&b, "o\n8\n" ROOT "\next\n\n");
    for (int i = 0; i < SJ_LEDGER_NOTE_SIGS_MAX; i++)
        sj_buf_append_cstr(&b, SIG);
    assert_int_equal(sj_ledger_checkpoint_parse(sj_buf_str(&b), &cp, &err), 0);
    assert_int_equal(cp.extension_count, 1);
    assert_int_equal(cp.sig_count, SJ_LEDGER_NOTE_SIGS_MAX);
    sj_ledger_checkpoint_release(&cp);
    sj_buf_append_cstr(&b, SIG);
    assert_int_equal(sj_ledger_checkpoint_parse(sj_buf_str(&b), &cp, &err), SJ_EFORMAT);
    sj_ledger_checkpoint_release(&cp);
    sj_buf_release(&b);
#undef SIG
#undef ROOT
}

/* ---- The entry encoding ------------------------------------------------------------------ */

static void test_entry_encoding(void **state)
{
    (void)state;
    struct sj_ledger_entry e = {
        .index = 42,
        .at = SJ_STR_LIT("2026-11-27T08:00:00.000Z"),
        .actor = SJ_STR_LIT("张伟"),
        .office = SJ_STR_LIT(""),
        .action = SJ_STR_LIT("lead.status"),
        .object_type = SJ_STR_LIT("lead"),
        .object_id = SJ_STR_LIT("L1,2:3"),
        .from = SJ_STR_LIT("127.0.0.1"),
        .payload = SJ_STR_LIT("{\"to\":\"case\"}"),
    };
    static const char want[] = "22:shujian-ledger-entry/1,2:42,24:2026-11-27T08:00:00.000Z,"
                               "6:张伟,0:,11:lead.status,4:lead,6:L1,2:3,9:127.0.0.1,"
                               "13:{\"to\":\"case\"},";
    struct sj_buf b;
    struct sj_ledger_digest d, by_hand;
    sj_buf_init(&b, 0);
    assert_int_equal(sj_ledger_entry_encode(&e, &b), 0);
    assert_string_equal(sj_buf_cstr(&b), want);
    assert_int_equal(sj_ledger_entry_hash(SJ_LEDGER_SHA256, &e, &d), 0);
    sj_ledger_hash_leaf(SJ_LEDGER_SHA256, want, strlen(want), &by_hand);
    assert_memory_equal(&d, &by_hand, sizeof d);
    sj_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6962_roots),
        cmocka_unit_test(test_rfc6962_inclusion),
        cmocka_unit_test(test_rfc6962_consistency),
        cmocka_unit_test(test_consistency_edges),
        cmocka_unit_test(test_proofs_all_sizes),
        cmocka_unit_test(test_sm3_known_answers),
        cmocka_unit_test(test_note_known_answers),
        cmocka_unit_test(test_checkpoint_sign_parse),
        cmocka_unit_test(test_checkpoint_parse_rejects),
        cmocka_unit_test(test_entry_encoding),
    };
    return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}

/*
 * ledger.h - the tamper-evident ledger: an append-only Merkle log after RFC 6962 / RFC 9162
 * of who did what to which object, with signed checkpoints in the C2SP tlog-checkpoint
 * format (docs/LEDGER.md).
 *
 * - Leaf hash H(0x00 || leaf data), node hash H(0x01 || left || right); H is SHA-256 or SM3,
 *   chosen per ledger at creation and recorded with it. Leaf data is the canonical
 *   serialisation of an entry (sj_ledger_entry_encode).
 * - Every append stores the entry with its leaf ("record") hash and a checkpoint signed with
 *   Ed25519 over the new tree head, in one transaction. Checkpoints at sizes that are
 *   multiples of SJ_LEDGER_CHECKPOINT_KEEP are kept for ever; the newest one is kept too, and
 *   each newer checkpoint replaces the previous one that is not such a multiple.
 * - The signing key lives in <workspace>/keys/ledger.key (mode 0600), outside the database;
 *   the public key is in the database and exported with sj_ledger_verifier_key.
 * - Nothing derived is cached in the database: a verifier recomputes every leaf hash from
 *   the entry, every tree head from the leaves, and checks every stored signature.
 *
 * Ownership: struct sj_ledger borrows the struct sj_store it was opened on (which must
 * outlive it) and is used from one thread at a time. Strings passed in are borrowed;
 * strings handed out are owned by the caller (free()) unless said otherwise.
 */
#ifndef SHUJIAN_LEDGER_H
#define SHUJIAN_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shujian/core.h"

struct sj_store;

#define SJ_LEDGER_HASH_LEN 32        /* SHA-256 and SM3 both give 32 bytes */
#define SJ_LEDGER_PROOF_MAX 64       /* nodes in any proof of a tree of fewer than 2^63 leaves */
#define SJ_LEDGER_CHECKPOINT_KEEP 16 /* checkpoints at multiples of this size are kept */
#define SJ_LEDGER_KEY_FILE "keys/ledger.key"            /* relative to the workspace directory */
#define SJ_LEDGER_ENTRY_FORMAT "shujian-ledger-entry/1" /* first field of every leaf */
#define SJ_LEDGER_ORIGIN_MAX 128                        /* bytes in an origin (= key name) */
#define SJ_LEDGER_FIELD_MAX 1024                        /* bytes in each short field of an entry */
#define SJ_LEDGER_PAYLOAD_MAX ((size_t)1 << 20)         /* bytes of canonical payload JSON */
#define SJ_LEDGER_NOTE_MAX 65536   /* bytes of a checkpoint we are willing to parse */
#define SJ_LEDGER_NOTE_SIGS_MAX 32 /* signature lines in a checkpoint */

enum sj_ledger_alg {
    SJ_LEDGER_SHA256 = 0, /* default (libsodium) */
    SJ_LEDGER_SM3 = 1,    /* GB/T 32905 (OpenSSL 3 EVP "SM3") */
};

/* A hash value; a struct so that arrays of them are arrays of values. */
struct sj_ledger_digest {
    uint8_t bytes[SJ_LEDGER_HASH_LEN];
};

/* True when a and b are the same hash. */
bool sj_ledger_digest_eq(const struct sj_ledger_digest *a, const struct sj_ledger_digest *b);
/* Lowercase hex of d, NUL-terminated, into out. */
void sj_ledger_digest_hex(const struct sj_ledger_digest *d, char out[2 * SJ_LEDGER_HASH_LEN + 1]);

/* "sha256" / "sm3" (static storage), and back: 0 or SJ_EINVAL. */
const char *sj_ledger_alg_name(enum sj_ledger_alg alg);
int sj_ledger_alg_parse(const char *name, enum sj_ledger_alg *alg);

/* ---- Hashing and the Merkle tree (pure functions, RFC 6962 section 2.1) -------------------- */

/* H(data[0..len)) with alg. Returns 0, or SJ_EINVAL when alg is unknown or unavailable (an
 * OpenSSL without SM3). */
int sj_ledger_hash(enum sj_ledger_alg alg, const void *data, size_t len,
                   struct sj_ledger_digest *out);
/* Leaf hash H(0x00 || data). Returns 0 or SJ_EINVAL. */
int sj_ledger_hash_leaf(enum sj_ledger_alg alg, const void *data, size_t len,
                        struct sj_ledger_digest *out);
/* Node hash H(0x01 || left || right). Returns 0 or SJ_EINVAL. */
int sj_ledger_hash_node(enum sj_ledger_alg alg, const struct sj_ledger_digest *left,
                        const struct sj_ledger_digest *right, struct sj_ledger_digest *out);

/* MTH(D[0:n]) computed from the leaf hashes leaves[0..n) (borrowed); n = 0 gives the hash of
 * the empty string. O(n) hashes. Returns 0 or SJ_EINVAL. */
int sj_ledger_tree_hash(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves, uint64_t n,
                        struct sj_ledger_digest *out);

/* PATH(index, D[0:n]) (RFC 6962 2.1.1): the audit path of leaf index, nearest sibling
 * first, into proof[SJ_LEDGER_PROOF_MAX]; *proof_len gets the node count. SJ_EINVAL when
 * index >= n. */
int sj_ledger_prove_inclusion(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves,
                              uint64_t n, uint64_t index, struct sj_ledger_digest *proof,
                              size_t *proof_len);
/* PROOF(size1, D[0:n]) (RFC 6962 2.1.2) into proof[SJ_LEDGER_PROOF_MAX]. Empty when
 * size1 is 0 or n. SJ_EINVAL when size1 > n. */
int sj_ledger_prove_consistency(enum sj_ledger_alg alg, const struct sj_ledger_digest *leaves,
                                uint64_t n, uint64_t size1, struct sj_ledger_digest *proof,
                                size_t *proof_len);

/* RFC 9162 2.1.3.2: 0 when proof shows that leaf_hash is leaf index of the tree of size
 * tree_size with root; SJ_EFORMAT when it does not (or index >= tree_size, or the proof has
 * too few or too many nodes); SJ_EINVAL for an unknown alg. */
int sj_ledger_verify_inclusion(enum sj_ledger_alg alg, uint64_t index, uint64_t tree_size,
                               const struct sj_ledger_digest *leaf_hash,
                               const struct sj_ledger_digest *proof, size_t proof_len,
                               const struct sj_ledger_digest *root);
/* RFC 9162 2.1.4.2: 0 when proof shows that the tree of size1 with root1 is a prefix of the
 * tree of size2 with root2. size1 == size2 needs an empty proof and equal roots; size1 == 0
 * needs an empty proof (any tree extends the empty one). SJ_EFORMAT otherwise. */
int sj_ledger_verify_consistency(enum sj_ledger_alg alg, uint64_t size1, uint64_t size2,
                                 const struct sj_ledger_digest *proof, size_t proof_len,
                                 const struct sj_ledger_digest *root1,
                                 const struct sj_ledger_digest *root2);

/* An incremental tree head ("compact range" of [0, size)): the roots of the perfect subtrees
 * that make up the tree, largest first. Push leaf hashes in order; the root of any prefix is
 * then O(log n). Plain data: copy it freely; sj_ledger_tree_init to start. */
struct sj_ledger_tree {
    enum sj_ledger_alg alg;
    uint64_t size;
    int count; /* nodes in use */
    struct sj_ledger_digest nodes[SJ_LEDGER_PROOF_MAX];
};
void sj_ledger_tree_init(struct sj_ledger_tree *tree, enum sj_ledger_alg alg);
/* Adds the next leaf hash. SJ_EINVAL for an unknown alg, SJ_ETOOBIG past 2^63 leaves. */
int sj_ledger_tree_push(struct sj_ledger_tree *tree, const struct sj_ledger_digest *leaf_hash);
/* MTH of the leaves pushed so far. Returns 0 or SJ_EINVAL. */
int sj_ledger_tree_root(const struct sj_ledger_tree *tree, struct sj_ledger_digest *root);

/* ---- Entries ------------------------------------------------------------------------------ */

/* What an action wants logged. All borrowed, NUL-terminated, valid UTF-8 without control
 * characters other than in payload_json (where JSON escapes them). actor, action and
 * object_type are required; the others may be NULL or "". Short fields hold at most
 * SJ_LEDGER_FIELD_MAX bytes. */
struct sj_ledger_record {
    const char *actor;       /* user name (or "system") */
    const char *office;      /* the actor's office (院) */
    const char *action;      /* verb, e.g. "lead.status" */
    const char *object_type; /* e.g. "lead", "dataset" */
    const char *object_id;
    const char *from;         /* client address, e.g. "127.0.0.1" */
    const char *payload_json; /* any JSON value; NULL means {} */
};

/* A stored entry as read back. Text fields are (pointer, length) views because a damaged
 * database may hold any bytes; ownership is said where an entry is handed out. */
struct sj_ledger_entry {
    uint64_t index;   /* 0-based leaf index */
    struct sj_str at; /* UTC time of the append, "YYYY-MM-DDTHH:MM:SS.mmmZ" */
    struct sj_str actor, office, action, object_type, object_id, from;
    struct sj_str payload;               /* canonical JSON (compact, keys sorted) */
    struct sj_ledger_digest record_hash; /* the stored leaf hash */
};

/* Appends the leaf data of e (everything but record_hash) to out: the netstrings
 * (`<decimal length>:<bytes>,`) of SJ_LEDGER_ENTRY_FORMAT, the decimal index, at, actor,
 * office, action, object_type, object_id, from and payload, in that order. Returns 0 or
 * SJ_ETOOBIG (out's cap). */
int sj_ledger_entry_encode(const struct sj_ledger_entry *e, struct sj_buf *out);
/* Leaf hash of e's leaf data with alg into *out. Returns 0, SJ_EINVAL or SJ_ETOOBIG. */
int sj_ledger_entry_hash(enum sj_ledger_alg alg, const struct sj_ledger_entry *e,
                         struct sj_ledger_digest *out);

/* ---- Checkpoints (C2SP tlog-checkpoint on C2SP signed-note) ------------------------------- */

struct sj_ledger_note_sig {
    char *name;      /* key name (owned) */
    uint32_t key_id; /* first 4 bytes of the decoded signature, big-endian */
    uint8_t *sig;    /* the remaining bytes (owned) */
    size_t sig_len;
};

/* A parsed checkpoint. Release with sj_ledger_checkpoint_release. */
struct sj_ledger_checkpoint {
    char *origin; /* owned */
    uint64_t tree_size;
    struct sj_ledger_digest root;
    size_t extension_count; /* extension lines (kept in the signed text, otherwise ignored) */
    size_t text_len;        /* bytes of the signed note text: a prefix of the input */
    size_t sig_count;
    struct sj_ledger_note_sig *sigs; /* owned */
};

/* Parses a signed checkpoint note from text[0..len) (borrowed, not NUL-terminated): origin,
 * decimal tree size without leading zeros, base64 root of exactly SJ_LEDGER_HASH_LEN bytes,
 * optional extension lines, a blank line, then 1..SJ_LEDGER_NOTE_SIGS_MAX lines
 * "— <name> <base64(key id || signature)>", each ending in a newline. The note must be valid
 * UTF-8 without control characters other than newline, at most SJ_LEDGER_NOTE_MAX bytes.
 * Signatures are not checked here. Returns 0 or SJ_EFORMAT (err says what and on which
 * line); *cp is zeroed first and always safe to release. */
int sj_ledger_checkpoint_parse(struct sj_str text, struct sj_ledger_checkpoint *cp,
                               struct sj_err *err);
void sj_ledger_checkpoint_release(struct sj_ledger_checkpoint *cp);

/* Key ID of an Ed25519 note key: the first 4 bytes, big-endian, of
 * SHA-256(name || 0x0A || 0x01 || public_key). */
uint32_t sj_ledger_key_id(const char *name, const uint8_t public_key[32]);

/* Checks the signature of cp (parsed from text, the same bytes) made by the Ed25519 key
 * (name, public_key): 0 when a signature line with that name and key ID verifies; SJ_EPERM
 * when a line of that key does not verify (err says so); SJ_ENOTFOUND when no line is from
 * that key. Lines of other keys are ignored (C2SP signed-note). */
int sj_ledger_checkpoint_check(const struct sj_ledger_checkpoint *cp, struct sj_str text,
                               const char *name, const uint8_t public_key[32], struct sj_err *err);

/* Formats and signs a checkpoint for (origin, tree_size, root) with the Ed25519 secret key
 * sk (64 bytes, libsodium layout), origin being the key name. The note is appended to out.
 * Returns 0 or SJ_ETOOBIG. */
int sj_ledger_checkpoint_sign(const char *origin, uint64_t tree_size,
                              const struct sj_ledger_digest *root, const uint8_t sk[64],
                              struct sj_buf *out);

/* ---- The ledger of a workspace ----------------------------------------------------------- */

struct sj_ledger;

struct sj_ledger_options {
    enum sj_ledger_alg alg; /* SJ_LEDGER_SHA256 unless told otherwise */
    const char *origin;     /* log and key name; NULL picks "shujian.ledger/<16 hex>" */
};

/* Creates the ledger of the workspace: an Ed25519 key pair whose secret key is written to
 * <workspace>/SJ_LEDGER_KEY_FILE (created 0600, never overwritten), the metadata (origin,
 * hash algorithm, public key) and a signed checkpoint of the empty tree. opts may be NULL.
 * The origin must be 1..SJ_LEDGER_ORIGIN_MAX bytes of UTF-8 without spaces, '+' or control
 * characters. Errors: SJ_EEXIST (a ledger or a key file is already there), SJ_EINVAL (bad
 * origin, SM3 unavailable), SJ_EIO, SJ_EDB. */
int sj_ledger_create(struct sj_store *store, const struct sj_ledger_options *opts,
                     struct sj_err *err);

/* Opens the ledger of the workspace; *out is owned by the caller (sj_ledger_close) and
 * borrows store. SJ_ENOTFOUND when the workspace has no ledger, SJ_EFORMAT when its
 * metadata is damaged, SJ_EDB. The signing key is read at the first append. */
int sj_ledger_open(struct sj_store *store, struct sj_ledger **out, struct sj_err *err);
void sj_ledger_close(struct sj_ledger *ledger);

/* Borrowed from the ledger. */
const char *sj_ledger_origin(const struct sj_ledger *ledger);
enum sj_ledger_alg sj_ledger_hash_alg(const struct sj_ledger *ledger);
const uint8_t *sj_ledger_public_key(const struct sj_ledger *ledger); /* 32 bytes */
const char *sj_ledger_created_at(const struct sj_ledger *ledger);

/* The verifier key in the golang.org/x/mod/sumdb/note form "<name>+<key id hex>+<base64(0x01
 * || public key)>", NUL-terminated into buf. Returns 0 or SJ_ETOOBIG. */
int sj_ledger_verifier_key(const struct sj_ledger *ledger, char *buf, size_t size);

/* Appends rec as the next entry, stamped with the current UTC time, and signs the new tree
 * head, all in one transaction: its own BEGIN IMMEDIATE when none is open, otherwise a
 * savepoint inside the caller's transaction (so the entry commits or rolls back with the
 * action it records). The payload is stored in canonical form (compact, keys sorted,
 * duplicate keys rejected). Before signing, the tree of the stored leaf hashes must match
 * the newest signed checkpoint: a ledger that does not is never extended. *index (may be
 * NULL) gets the new entry's index. Errors: SJ_EINVAL (a field is missing, too long, not
 * UTF-8, or the payload is not JSON), SJ_ENOTFOUND (no signing key file), SJ_EFORMAT (the
 * stored log does not match its checkpoint: run sj_ledger_verify), SJ_EIO, SJ_EDB. */
int sj_ledger_append(struct sj_ledger *ledger, const struct sj_ledger_record *rec, uint64_t *index,
                     struct sj_err *err);

/* A batch of appends with one signature: between sj_ledger_batch_begin and
 * sj_ledger_batch_end, which must all run inside one transaction of the caller that commits
 * after sj_ledger_batch_end, each sj_ledger_append stores its entry without signing, and
 * sj_ledger_batch_end signs and stores one checkpoint over the tree of every entry still
 * there (entries rolled back with a savepoint of the caller are left out). A checkpoint at
 * each multiple of SJ_LEDGER_CHECKPOINT_KEEP passed on the way is signed when reached, so
 * the checkpoints kept for ever are the same as without batches. An append in a batch
 * outside a transaction fails with SJ_EINVAL. sj_ledger_batch_end with nothing appended does
 * nothing; its errors are those of sj_ledger_append, and the caller must then roll back. */
void sj_ledger_batch_begin(struct sj_ledger *ledger);
int sj_ledger_batch_end(struct sj_ledger *ledger, struct sj_err *err);

/* Number of entries (one more than the highest stored index). */
int sj_ledger_size(struct sj_ledger *ledger, uint64_t *size, struct sj_err *err);

/* The newest stored signed checkpoint: its note text (owned by the caller, NUL-terminated)
 * and size. SJ_ENOTFOUND when there is none, SJ_EDB. */
int sj_ledger_checkpoint_latest(struct sj_ledger *ledger, char **note, uint64_t *tree_size,
                                struct sj_err *err);

/* Reads stored entries with index >= from in index order, at most limit (< 0: all), as they
 * are stored (nothing is checked: that is sj_ledger_verify's job). *out is owned by the
 * caller (sj_ledger_read_close). SJ_EDB. */
struct sj_ledger_reader;
int sj_ledger_read_open(struct sj_ledger *ledger, uint64_t from, int64_t limit,
                        struct sj_ledger_reader **out, struct sj_err *err);
/* 1 with *e filled (views valid until the next call), 0 at the end, or SJ_EDB. */
int sj_ledger_read_next(struct sj_ledger_reader *reader, struct sj_ledger_entry *e,
                        struct sj_err *err);
void sj_ledger_read_close(struct sj_ledger_reader *reader);

/* Inclusion proof of entry index in the tree of size tree_size (<= the ledger's size) and
 * consistency proof from size1 to size2, computed from the stored leaf hashes (O(size)).
 * proof has room for SJ_LEDGER_PROOF_MAX nodes. SJ_EINVAL (sizes out of range), SJ_EFORMAT
 * (stored leaves missing), SJ_EDB. */
int sj_ledger_inclusion_proof(struct sj_ledger *ledger, uint64_t index, uint64_t tree_size,
                              struct sj_ledger_digest *proof, size_t *proof_len,
                              struct sj_err *err);
int sj_ledger_consistency_proof(struct sj_ledger *ledger, uint64_t size1, uint64_t size2,
                                struct sj_ledger_digest *proof, size_t *proof_len,
                                struct sj_err *err);

/* ---- Verification -------------------------------------------------------------------------- */

/* What verification found first. */
enum sj_ledger_problem {
    SJ_LEDGER_OK = 0,
    SJ_LEDGER_BAD_META,        /* metadata damaged (algorithm, key, origin) */
    SJ_LEDGER_BAD_KEY_FILE,    /* the key file does not belong to the stored public key */
    SJ_LEDGER_ENTRY_MISSING,   /* an index is absent from the sequence */
    SJ_LEDGER_ENTRY_MALFORMED, /* a NULL field, a record hash of the wrong size */
    SJ_LEDGER_ENTRY_HASH,      /* the record hash does not match the entry */
    SJ_LEDGER_CHECKPOINT_BAD,  /* a stored checkpoint does not parse or names another log */
    SJ_LEDGER_CHECKPOINT_SIG,  /* a stored checkpoint's signature does not verify */
    SJ_LEDGER_CHECKPOINT_ROOT, /* the entries give another tree head than a checkpoint */
    SJ_LEDGER_TRUNCATED,       /* a checkpoint covers more entries than are stored */
    SJ_LEDGER_UNSIGNED,        /* entries after the newest signed checkpoint */
    SJ_LEDGER_EXTERNAL_BAD,    /* the given checkpoint is not of this log or not signed */
    SJ_LEDGER_EXTERNAL_ROOT,   /* the log is not consistent with the given checkpoint */
};

/* "entry-hash", ... (static storage) for JSON output. */
const char *sj_ledger_problem_name(enum sj_ledger_problem problem);

struct sj_ledger_verify_options {
    struct sj_str checkpoint; /* a checkpoint to check consistency with (borrowed; empty:
                                 none), e.g. one exported earlier */
    bool skip_key_file;       /* do not compare <workspace>/keys/ledger.key with the
                                 stored public key even when it is there */
};

struct sj_ledger_report {
    bool is_ok;
    enum sj_ledger_problem problem;
    bool has_index; /* index names the first bad entry */
    uint64_t index;
    uint64_t checkpoint_size; /* the checkpoint concerned, for checkpoint problems */
    uint64_t entries;         /* entries checked (in order, up to the first problem) */
    uint64_t checkpoints;     /* stored checkpoints whose signature and root were checked */
    uint64_t tree_size;       /* size and root recomputed from the entries checked */
    struct sj_ledger_digest root;
    enum sj_ledger_alg alg;
    bool is_key_file_checked; /* the key file was there and compared */
    bool is_external_checked; /* opts->checkpoint was given and found consistent */
    char message[640];        /* what differs, in Chinese, with the numbers */
};

/* Re-checks the whole ledger of the workspace offline, in index order inside one read
 * snapshot: the metadata; the key file against the public key; every entry's leaf hash
 * recomputed from its fields against the stored record hash; the index sequence; every
 * stored checkpoint's signature and its tree head against the one recomputed from the
 * entries; entries past the newest checkpoint; and, when opts->checkpoint is given, that
 * the log at that size has its root (the log is a consistent extension of it) and that it is
 * signed by this ledger's key. Stops at the first problem, which report names (the first bad
 * entry when one can be named). opts may be NULL. Returns 0 when verification ran (see
 * report->is_ok), SJ_ENOTFOUND (no ledger), SJ_EFORMAT (opts->checkpoint does not parse),
 * SJ_EDB. */
int sj_ledger_verify(struct sj_store *store, const struct sj_ledger_verify_options *opts,
                     struct sj_ledger_report *report, struct sj_err *err);

#endif

/* provenance.h: what a PNG ganplay writes says about itself.
 *
 * Every picture the page or the CLI writes carries a tEXt chunk with the
 * keyword "ganplay" whose text is one JSON object (docs/formats.md): the
 * software, the model (a name and a hash of its weights), the seed, sample
 * index and count, the class, the latent directions and amounts, the units
 * switched off, and what made the picture. A person who receives it can tell
 * it was generated and, with the same model, make it again.
 *
 * The chunk goes in right after IHDR, with a standard "Software" chunk; a
 * PNG's bytes in, new bytes out. Reading walks the chunks bounds-checked,
 * checks each CRC and caps each length, whatever the bytes. */
#ifndef GP_PROVENANCE_H
#define GP_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "base/status.h"
#include "gan/gan.h"

#define GP_PROV_KEYWORD "ganplay"
#define GP_PROV_HASH_LEN 25          /* "fnv1a64:" + 16 hex digits + NUL */
#define GP_PROV_MAX_DIRECTIONS 16
#define GP_PROV_MAX_UNITS 4096
#define GP_PNG_TEXT_MAX ((size_t)1 << 20) /* longest text chunk read or written */
#define GP_PNG_MAX_BYTES ((size_t)256 << 20) /* largest PNG taken */

/* A stable hash of the weights G samples with: FNV-1a 64 over the counts of
 * parameters and buffers (u64 little-endian each), then the parameters (the
 * moving average where the model keeps one, else G's own) and G's buffers
 * (BatchNorm running statistics), each float as its 4 little-endian bytes.
 * The same model gives the same text natively and in wasm:
 * "fnv1a64:" and 16 lowercase hex digits. */
void gp_gan_weights_hash(const gp_gan *gan, char out[GP_PROV_HASH_LEN]);

/* What made a picture. Optional numbers are -1 for none (JSON null). */
typedef struct {
    const char *model;       /* the model's name (a file's base name, "trained-in-page", ...) */
    const char *weights;     /* gp_gan_weights_hash of it */
    int64_t seed;            /* the latents' seed, 0..2^53-1; -1: none (latents from elsewhere) */
    long index;              /* the first sample's index among the seed's latents; -1: none */
    long count;              /* images in the picture */
    int label;               /* the class drawn by all; -1: none (unconditional, or classes in turn) */
    int n_directions;        /* 0..GP_PROV_MAX_DIRECTIONS */
    const char *direction_names[GP_PROV_MAX_DIRECTIONS];
    double direction_amounts[GP_PROV_MAX_DIRECTIONS];
    int units_layer;         /* units switched off in this layer of G; -1: none */
    int n_units;             /* 0..GP_PROV_MAX_UNITS */
    const int *units;
    const char *what;        /* "sample", "project", "upscale", ... */
} gp_provenance;

/* A model's name in provenance, from where it came (into buf, cap bytes,
 * cut to fit): a file's base name without its extension
 * (models/mnist-cdcgan.gpm: mnist-cdcgan); NULL or "" (a model trained in
 * the page and never saved): "trained-in-page". Returns buf. */
const char *gp_provenance_model_name(const char *source, char *buf, size_t cap);

/* Empty inputs: no seed, index, class, directions or units; count 1. */
void gp_provenance_init(gp_provenance *p);

/* The chunk's JSON (keys software, model, weights, seed, index, count,
 * class, directions, units_off, what) into j, all ASCII: a character past
 * it written as \uXXXX. GP_ERR_ARG for inputs out of range (a missing name,
 * hash or what, a seed past 2^53-1, a non-finite amount, too many
 * directions or units). */
gp_status gp_provenance_json(const gp_provenance *p, gp_json *j, gp_err *err);

/* The PNG png (len bytes) with a tEXt chunk keyword = text and a "Software"
 * chunk "ganplay" after IHDR, into a malloc'ed *out. Chunks of the input
 * with the same keywords are dropped (a picture stamped twice carries one).
 * keyword: 1..79 printable ASCII; text: ASCII, no NUL, at most
 * GP_PNG_TEXT_MAX bytes. The input is checked as gp_png_find_text checks it. */
gp_status gp_png_add_text(const uint8_t *png, size_t len, const char *keyword, const char *text, uint8_t **out,
                          size_t *out_len, gp_err *err);

/* The text of the first tEXt chunk named keyword in the PNG png, as a
 * malloc'ed NUL-terminated string. Every chunk up to IEND is walked and
 * checked (bytes after IEND are ignored). GP_ERR_FORMAT with a message:
 * bytes that are not a PNG, a file past GP_PNG_MAX_BYTES, IHDR not first, a
 * chunk cut short or longer than the file, a bad CRC, no IEND, a text chunk
 * named keyword longer than GP_PNG_TEXT_MAX or with a NUL in its text.
 * GP_ERR_ARG ("has no ... chunk") when the PNG is sound but has none. */
gp_status gp_png_find_text(const uint8_t *png, size_t len, const char *keyword, char **text, gp_err *err);

#endif

/* modelfile.h: ganplay's model file (documented in docs/formats.md).
 * A generator alone, or generator + discriminator + optimizer state for
 * resuming training exactly. Loading checks every size and count against the
 * file length and a CRC-32, whatever the bytes. */
#ifndef GP_MODELFILE_H
#define GP_MODELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "eval/classifier.h"
#include "gan/2d.h"
#include "gan/gan.h"
#include "gan/history.h"
#include "base/status.h"

#define GP_MODEL_MAGIC "GPMF"
#define GP_MODEL_VERSION 2 /* reads 1 (no classes, dataset or average) too */
#define GP_MODEL_FLAG_TRAINING 1u /* discriminator and optimizer state present */
#define GP_MODEL_FLAG_F16 2u      /* parameters and buffers stored as float16 */
#define GP_MODEL_FLAG_HISTORY 4u  /* a training state followed by the run's history (history.h) */
#define GP_MODEL_FLAG_PLANE 8u    /* a 2-D training state followed by its plane section (gp_2d_state) */

/* What gp_model_save writes. */
typedef enum {
    GP_SAVE_GENERATOR = 0,     /* the generator, float32 */
    GP_SAVE_TRAINING = 1,      /* generator, discriminator, optimizer state: resumable */
    GP_SAVE_GENERATOR_F16 = 2  /* the generator, float16 weights: half the size */
} gp_save_kind;
#define GP_MODEL_MAX_BYTES ((size_t)256 << 20)

/* Serializes gan into a malloc'ed buffer (kind: a gp_save_kind). A model
 * with a non-finite weight or optimizer value (GP_ERR_NAN), or a weight
 * past float16's range in a float16 file (GP_ERR_ARG), is refused: the
 * file would not load. */
gp_status gp_model_save(const gp_gan *gan, int kind, uint8_t **out, size_t *len, gp_err *err);
/* Builds a new gan from a file's bytes. On failure gan is zeroed. */
gp_status gp_model_load(gp_gan *gan, const uint8_t *bytes, size_t len, gp_err *err);
/* The same for a training run's own last good state (run.h), which may also
 * be a 2-D model (a 2-D preset, points as images of 2x1x1); the files a
 * person opens are image models. */
gp_status gp_model_load_state(gp_gan *gan, const uint8_t *bytes, size_t len, gp_err *err);

gp_status gp_model_save_file(const gp_gan *gan, int kind, const char *path, gp_err *err);

/* A 2-D training state (a teacher prepares a run, the page or the CLI opens
 * it): the model file of a 2-D model's training state, history inside,
 * followed by the plane section (flag GP_MODEL_FLAG_PLANE, docs/formats.md):
 * what the 2-D mode shows beside the networks. */
#define GP_2D_STATE_VERSION 1
#define GP_2D_FRAME_SEED 99 /* the fakes the page's view draws (web/js/mode-2d.js FRAME_SEED) */
#define GP_2D_STATE_MAX_MEASURES GP_HISTORY_KEEP_MEASURES
typedef struct {
    gp_2d_dist dist;           /* the distribution (its name is the model's dataset), drawn points with it */
    char lesson[GP_NAME_LEN];  /* the lesson the run began as ("": none) */
    long rounds;               /* rounds trained (single D or G steps are not rounds) */
    uint64_t frame_seed;       /* the noise of the fakes the view draws (below 2^53) */
    uint32_t n_js;             /* the history's measurements: the JS of each (the history keeps round and KL) */
    float js[GP_2D_STATE_MAX_MEASURES];
} gp_2d_state;
/* gan: a 2-D model with its discriminator (its history already set, as
 * gp_run_save sets it); st's distribution must be the model's dataset. */
gp_status gp_model_save_2d(const gp_gan *gan, const gp_2d_state *st, uint8_t **out, size_t *len, gp_err *err);
/* Opens a 2-D training state: an image model's file, or a 2-D file without
 * its plane section, is refused with the reason. On failure gan is zeroed
 * and st is unchanged. */
gp_status gp_model_load_2d(gp_gan *gan, gp_2d_state *st, const uint8_t *bytes, size_t len, gp_err *err);
/* A saved 2-D run for people (`ganplay info`, the page's answer on opening
 * one): {"mode": "2d", "distribution", "distribution_label", "drawn_points"
 * (0 unless drawn), "lesson" (null: none), "rounds", "g_steps",
 * "d_steps_taken", "measurements" (the history's), "frame_seed", "model"
 * (gp_model_info_json)}. */
void gp_2d_state_json(const gp_gan *gan, const gp_2d_state *st, gp_json *j);

/* The classifier's file: magic "GPCL", u32 version 1, u32 feature layer,
 * u64 training steps, one network (as in a model file, no optimizer state),
 * CRC-32. */
#define GP_CLASSIFIER_MAGIC "GPCL"
/* Serializes the classifier into a malloc'ed buffer. */
gp_status gp_classifier_save(const gp_classifier *c, uint8_t **out, size_t *len, gp_err *err);
gp_status gp_classifier_save_file(const gp_classifier *c, const char *path, gp_err *err);
gp_status gp_classifier_load(gp_classifier *c, const uint8_t *bytes, size_t len, gp_err *err);
gp_status gp_classifier_load_file(gp_classifier *c, const char *path, gp_err *err);

/* IEEE half precision conversions, round to nearest even. */
uint16_t gp_f32_to_f16(float f);
float gp_f16_to_f32(uint16_t h);
gp_status gp_model_load_file(gp_gan *gan, const char *path, gp_err *err);

uint32_t gp_crc32(const uint8_t *data, size_t len);

#endif

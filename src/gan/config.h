/* config.h: a GAN's settings, as one table.
 *
 * Every hyperparameter is one row of GP_SETTINGS (name, type, range, whether
 * it may change on a running model, a one-line help). The CLI's flags
 * (--lr-g for lr_g), the wasm API (by name, and the table as JSON for the
 * page's fields), the range checks and the model card read the same rows.
 * Presets and losses are one list each (GP_PRESETS here, GP_LOSSES in
 * losses.h). */
#ifndef GP_CONFIG_H
#define GP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "gan/losses.h"
#include "base/status.h"

#define GP_MAX_CLASSES 16
#define GP_NAME_LEN 16 /* preset, dataset and class names: 15 bytes and a NUL */

/* How a class-conditional GAN tells its networks the class. G always gets
 * the class as a one-hot vector after z. */
typedef enum {
    GP_COND_NONE = 0,   /* unconditional */
    GP_COND_ACGAN = 1,  /* D also predicts the class (auxiliary classifier, Odena et al. 2017) */
    GP_COND_CONCAT = 2, /* D gets the class as one-hot image planes beside the image */
    GP_COND_COUNT
} gp_gan_cond;

/* The optimizer of both networks. */
typedef enum { GP_OPT_ADAM = 0, GP_OPT_SGD = 1, GP_OPT_COUNT } gp_optimizer;
/* What z is drawn from: N(0, 1) or uniform on [-1, 1]. */
typedef enum { GP_NOISE_GAUSSIAN = 0, GP_NOISE_UNIFORM = 1, GP_NOISE_COUNT } gp_noise;
/* The hidden layers' activation of the 2-D preset. */
typedef enum { GP_ACT_RELU = 0, GP_ACT_LEAKY_RELU = 1, GP_ACT_TANH = 2, GP_ACT_COUNT } gp_activation;

typedef struct {
    char preset[GP_NAME_LEN];  /* a GP_PRESETS name */
    char dataset[GP_NAME_LEN]; /* what it trains on: "mnist", "fashion", "own" */
    int batch;
    int latent;
    float lr_g, lr_d;
    float beta1, beta2;
    float adam_eps;
    int d_steps;               /* discriminator steps per generator step */
    int loss;                  /* gp_gan_loss */
    float real_label;          /* target for real images: 1, or e.g. 0.9 (one-sided smoothing) */
    int cond;                  /* gp_gan_cond */
    float aux_weight;          /* ACGAN: weight of the class loss */
    float ema;                 /* decay of the moving average of G's weights; 0: off */
    int augment;               /* gp_augment_mode: DiffAugment for D */
    int spectral_norm;         /* 1: D's Linear and Conv2d layers spectrally normalized, D without BatchNorm */
    float gp_weight;           /* WGAN-GP: weight of the gradient penalty */
    float r1;                  /* R1: weight gamma of gamma/2 |grad_x D(x)|^2 on real images; 0: off */
    int optimizer;             /* gp_optimizer (SGD uses lr_g and lr_d, no momentum) */
    int g_steps;               /* generator steps per round (after the d_steps D steps) */
    int noise;                 /* gp_noise */
    int g_layers, g_width;     /* 2-D preset: G's hidden layers (0..4) and their width */
    int d_layers, d_width;     /* 2-D preset: D's hidden layers and their width */
    int activation;            /* 2-D preset: gp_activation of the hidden layers */
    uint64_t seed;             /* initial weights and the training stream */
    int channels, height, width; /* the images it makes (from the data): 1 or 3 channels; 0 x 0 x 0: the preset's */
    int classes;               /* 0 if unconditional, else 2..GP_MAX_CLASSES (from the data) */
    char class_names[GP_MAX_CLASSES][GP_NAME_LEN];
} gp_gan_config;

typedef enum { GP_SETTING_INT, GP_SETTING_FLOAT, GP_SETTING_SEED, GP_SETTING_CHOICE } gp_setting_type;

typedef struct {
    const char *name;  /* lr_g; the CLI flag is --lr-g */
    const char *label; /* for people: "Learning rate of G" */
    const char *help;  /* one line */
    gp_setting_type type;
    size_t offset;     /* into gp_gan_config */
    double lo, hi;     /* range; lo_open/hi_open exclude the end */
    int lo_open, hi_open;
    const char *(*choice)(int i); /* CHOICE: name of value i, NULL past the last */
    const char *(*choice_label)(int i); /* CHOICE: value i for people */
    int live;          /* may change on a model that is training */
    int scope;         /* gp_setting_scope: which presets it applies to */
    double def;        /* the default (a choice's index) */
    double def_2d;     /* the 2-D preset's default where it differs, else NaN */
    double first_visit; /* the first-visit recipe's value where it differs, else NaN */
} gp_setting;

/* Which kind of preset a setting shapes (the page shows the rows of its mode). */
typedef enum { GP_SCOPE_ALL = 0, GP_SCOPE_IMAGE = 1, GP_SCOPE_2D = 2 } gp_setting_scope;

extern const gp_setting GP_SETTINGS[];
extern const int GP_N_SETTINGS;

typedef struct {
    const char *name;
    const char *label;
    const char *help;
    int channels, height, width; /* the images it makes and judges; a 2-D point is (2, 1, 1) */
    int is_2d;                   /* 1: a 2-D preset (points in the plane), not images */
} gp_preset_info;
extern const gp_preset_info GP_PRESETS[];
extern const int GP_N_PRESETS;

const gp_setting *gp_setting_find(const char *name);
/* The preset of that name, or NULL. */
const gp_preset_info *gp_preset_find(const char *name);
double gp_setting_get(const gp_gan_config *cfg, const gp_setting *s);
/* Sets one value after checking it against the row's type and range
 * (integers must be whole; a seed 0..2^53-1). On error cfg is unchanged. */
gp_status gp_setting_set(gp_gan_config *cfg, const gp_setting *s, double value, gp_err *err);
/* The same from text: a decimal number (no hex, no trailing characters) or,
 * for CHOICE rows, a choice's name. */
gp_status gp_setting_parse(gp_gan_config *cfg, const gp_setting *s, const char *text, gp_err *err);
/* The value as text (a choice's name for CHOICE rows). */
void gp_setting_format(const gp_gan_config *cfg, const gp_setting *s, char *buf, size_t cap);

/* The defaults of a preset (the seed article's MLP GAN for "mlp"): the
 * table's def column, or def_2d where a 2-D preset's differs. */
gp_status gp_gan_config_default(gp_gan_config *cfg, const char *preset, gp_err *err);

/* Recipes: a preset's defaults changed where a column of the table says. */
typedef struct {
    const char *name;  /* "first_visit" */
    const char *label;
    const char *help;  /* why these values */
} gp_recipe_info;
extern const gp_recipe_info GP_RECIPES[];
extern const int GP_N_RECIPES;
/* A preset's defaults with a recipe's values ("" or NULL: none). */
gp_status gp_gan_config_recipe(gp_gan_config *cfg, const char *preset, const char *recipe, gp_err *err);
/* The images cfg makes: its channels x height x width, or the preset's. */
void gp_gan_config_image(const gp_gan_config *cfg, int *channels, int *height, int *width);
/* Makes cfg make images of channels x height x width (those of the data it
 * trains on), after checking the preset can: 1 (gray) or 3 (RGB) channels,
 * sides 1..256, multiples of 4 for the DCGAN; a 2-D preset's points stay
 * 2 x 1 x 1. On error cfg is unchanged. */
gp_status gp_gan_config_set_image(gp_gan_config *cfg, int channels, int height, int width, gp_err *err);
/* Every row's range, plus what ties settings together (classes and cond).
 * The message names the setting by its label. */
gp_status gp_gan_config_check(const gp_gan_config *cfg, gp_err *err);
/* Makes cfg class-conditional on the dataset's classes (names from the
 * known datasets, else "0", "1", ...), or unconditional if cond is none. */
gp_status gp_gan_config_set_classes(gp_gan_config *cfg, int classes, gp_err *err);

/* The tables for the page, as one JSON object: {"settings":[...],
 * "presets":[...],"losses":[...],"recipes":[...]} (every row with its
 * label, help, range and defaults). */
void gp_settings_json(gp_json *j);
/* One config as a JSON object of name: value (choices by name), plus
 * preset, dataset, image {channels, height, width}, classes and class_names. */
void gp_config_json(const gp_gan_config *cfg, gp_json *j);

#endif

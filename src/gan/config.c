#include "gan/config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gan/augment.h"
#include "data/dataset.h"

const gp_preset_info GP_PRESETS[] = {
    /* both make MNIST's 1x28x28 images (the DCGAN needs sides that are multiples of 4) */
    {"mlp", "MLP GAN (the original article)", "The seed article's GAN: fully connected G and D.", 1, 28, 28, 0},
    {"dcgan", "DCGAN (convolutional)", "Radford et al. 2016: transposed convolutions in G, convolutions in D.", 1, 28,
     28, 0},
    /* 2-D points: small MLPs whose layers are settings (g_layers, g_width, ...) */
    {"2d", "2-D GAN (points in the plane)", "Small fully connected G and D on 2-D toy distributions, to watch the "
     "game itself.", 2, 1, 1, 1},
};
const int GP_N_PRESETS = (int)(sizeof GP_PRESETS / sizeof GP_PRESETS[0]);

static const char *loss_choice(int i) { return i >= 0 && i < GP_LOSS_COUNT ? GP_LOSSES[i].name : NULL; }
static const char *loss_label(int i) { return i >= 0 && i < GP_LOSS_COUNT ? GP_LOSSES[i].label : NULL; }

static const char *const COND_NAMES[GP_COND_COUNT] = {"none", "acgan", "concat"};
static const char *const COND_LABELS[GP_COND_COUNT] = {"None (unconditional)", "ACGAN: D also names the class",
                                                       "Concat: D sees the class as image planes"};
static const char *cond_choice(int i) { return i >= 0 && i < GP_COND_COUNT ? COND_NAMES[i] : NULL; }
static const char *cond_label(int i) { return i >= 0 && i < GP_COND_COUNT ? COND_LABELS[i] : NULL; }

static const char *const OFF_ON[2] = {"off", "on"};
static const char *const OFF_ON_LABELS[2] = {"Off", "On"};
static const char *off_on(int i) { return i >= 0 && i < 2 ? OFF_ON[i] : NULL; }
static const char *off_on_label(int i) { return i >= 0 && i < 2 ? OFF_ON_LABELS[i] : NULL; }

static const char *const OPT_NAMES[GP_OPT_COUNT] = {"adam", "sgd"};
static const char *const OPT_LABELS[GP_OPT_COUNT] = {"Adam", "SGD (plain gradient descent)"};
static const char *opt_choice(int i) { return i >= 0 && i < GP_OPT_COUNT ? OPT_NAMES[i] : NULL; }
static const char *opt_label(int i) { return i >= 0 && i < GP_OPT_COUNT ? OPT_LABELS[i] : NULL; }

static const char *const NOISE_NAMES[GP_NOISE_COUNT] = {"gaussian", "uniform"};
static const char *const NOISE_LABELS[GP_NOISE_COUNT] = {"Gaussian N(0, 1)", "Uniform on [-1, 1]"};
static const char *noise_choice(int i) { return i >= 0 && i < GP_NOISE_COUNT ? NOISE_NAMES[i] : NULL; }
static const char *noise_label(int i) { return i >= 0 && i < GP_NOISE_COUNT ? NOISE_LABELS[i] : NULL; }

static const char *const ACT_NAMES[GP_ACT_COUNT] = {"relu", "leaky_relu", "tanh"};
static const char *const ACT_LABELS[GP_ACT_COUNT] = {"ReLU", "LeakyReLU (0.2)", "Tanh"};
static const char *act_choice(int i) { return i >= 0 && i < GP_ACT_COUNT ? ACT_NAMES[i] : NULL; }
static const char *act_label(int i) { return i >= 0 && i < GP_ACT_COUNT ? ACT_LABELS[i] : NULL; }

static const char *const AUGMENT_NAMES[GP_AUGMENT_COUNT] = {"none", "translate", "translate_cutout",
                                                             "color_translate", "color_translate_cutout"};
static const char *const AUGMENT_LABELS[GP_AUGMENT_COUNT] = {"None", "Translation", "Translation and cutout",
                                                              "Colour and translation",
                                                              "Colour, translation and cutout"};
static const char *augment_choice(int i) { return i >= 0 && i < GP_AUGMENT_COUNT ? AUGMENT_NAMES[i] : NULL; }
static const char *augment_label(int i) { return i >= 0 && i < GP_AUGMENT_COUNT ? AUGMENT_LABELS[i] : NULL; }

#define OFF(field) offsetof(gp_gan_config, field)
#define KEEP NAN /* a column that does not change the default */
/* Each row: what it is, its range, whether a training model takes it, which
 * presets it shapes, and its defaults: for image presets, for the 2-D
 * preset where it differs, and in the first-visit recipe where it differs. */
const gp_setting GP_SETTINGS[] = {
    {.name = "loss", .label = "Loss", .help = "The game's payoff: what D and G each minimize.", .type = GP_SETTING_CHOICE,
     .offset = OFF(loss), .lo = 0, .hi = GP_LOSS_COUNT - 1, .choice = loss_choice, .choice_label = loss_label, .live = 1,
     .scope = GP_SCOPE_ALL, .def = GP_LOSS_NONSATURATING, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "lr_g", .label = "Learning rate of G", .help = "Step size of the generator's optimizer.",
     .type = GP_SETTING_FLOAT, .offset = OFF(lr_g), .lo = 0, .hi = 1, .lo_open = 1, .live = 1, .scope = GP_SCOPE_ALL,
     .def = 2e-4, .def_2d = 1e-3, .first_visit = 1e-3},
    {.name = "lr_d", .label = "Learning rate of D", .help = "Step size of the discriminator's optimizer.",
     .type = GP_SETTING_FLOAT, .offset = OFF(lr_d), .lo = 0, .hi = 1, .lo_open = 1, .live = 1, .scope = GP_SCOPE_ALL,
     .def = 2e-4, .def_2d = 1e-3, .first_visit = 1e-3},
    {.name = "optimizer", .label = "Optimizer", .help = "Adam (running averages of the gradient and its square) or "
     "plain SGD (a step against the gradient, scaled by the learning rate).", .type = GP_SETTING_CHOICE,
     .offset = OFF(optimizer), .lo = 0, .hi = GP_OPT_COUNT - 1, .choice = opt_choice, .choice_label = opt_label,
     .live = 1, .scope = GP_SCOPE_ALL, .def = GP_OPT_ADAM, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "beta1", .label = "Adam β1", .help = "Decay of Adam's running mean of gradients (0.5 is usual for GANs).",
     .type = GP_SETTING_FLOAT, .offset = OFF(beta1), .lo = 0, .hi = 1, .hi_open = 1, .live = 1, .scope = GP_SCOPE_ALL,
     .def = 0.5, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "beta2", .label = "Adam β2", .help = "Decay of Adam's running mean of squared gradients.",
     .type = GP_SETTING_FLOAT, .offset = OFF(beta2), .lo = 0, .hi = 1, .hi_open = 1, .live = 1, .scope = GP_SCOPE_ALL,
     .def = 0.999, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "adam_eps", .label = "Adam ε", .help = "Added to Adam's denominator for stability.",
     .type = GP_SETTING_FLOAT, .offset = OFF(adam_eps), .lo = 0, .hi = 1, .lo_open = 1, .hi_open = 1, .live = 1,
     .scope = GP_SCOPE_ALL, .def = 1e-8, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "batch", .label = "Batch size", .help = "Real and fake images per step.", .type = GP_SETTING_INT,
     .offset = OFF(batch), .lo = 2, .hi = 1024, .scope = GP_SCOPE_ALL, .def = 64, .def_2d = 128, .first_visit = KEEP},
    {.name = "latent", .label = "Latent size", .help = "Length of the noise vector z that G turns into an image.",
     .type = GP_SETTING_INT, .offset = OFF(latent), .lo = 1, .hi = 1024, .scope = GP_SCOPE_ALL, .def = 100,
     .def_2d = 2, .first_visit = KEEP},
    {.name = "d_steps", .label = "D steps per round", .help = "Discriminator updates in each round, before the "
     "generator's.", .type = GP_SETTING_INT, .offset = OFF(d_steps), .lo = 1, .hi = 16, .live = 1,
     .scope = GP_SCOPE_ALL, .def = 1, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "g_steps", .label = "G steps per round", .help = "Generator updates in each round, after the "
     "discriminator's.", .type = GP_SETTING_INT, .offset = OFF(g_steps), .lo = 1, .hi = 16, .live = 1,
     .scope = GP_SCOPE_ALL, .def = 1, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "noise", .label = "Noise distribution", .help = "What z is drawn from: Gaussian N(0, 1) or uniform on "
     "[-1, 1].", .type = GP_SETTING_CHOICE, .offset = OFF(noise), .lo = 0, .hi = GP_NOISE_COUNT - 1,
     .choice = noise_choice, .choice_label = noise_label, .scope = GP_SCOPE_ALL, .def = GP_NOISE_GAUSSIAN,
     .def_2d = KEEP, .first_visit = KEEP},
    {.name = "real_label", .label = "Real label (smoothing)", .help = "Target for real images; below 1 is one-sided "
     "label smoothing.", .type = GP_SETTING_FLOAT, .offset = OFF(real_label), .lo = 0.5, .hi = 1, .live = 1,
     .scope = GP_SCOPE_ALL, .def = 1, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "cond", .label = "Class conditioning", .help = "none: unconditional; acgan: D also names the class; "
     "concat: D sees the class as extra image planes. G always gets the class beside z.", .type = GP_SETTING_CHOICE,
     .offset = OFF(cond), .lo = 0, .hi = GP_COND_COUNT - 1, .choice = cond_choice, .choice_label = cond_label,
     .scope = GP_SCOPE_IMAGE, .def = GP_COND_NONE, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "aux_weight", .label = "Class loss weight", .help = "ACGAN: weight of D's and G's class loss beside the "
     "adversarial loss.", .type = GP_SETTING_FLOAT, .offset = OFF(aux_weight), .lo = 0, .hi = 10, .live = 1,
     .scope = GP_SCOPE_IMAGE, .def = 1, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "ema", .label = "EMA of G", .help = "Decay of a moving average of G's weights used for sampling (0: off; "
     "0.999 is typical).", .type = GP_SETTING_FLOAT, .offset = OFF(ema), .lo = 0, .hi = 1, .hi_open = 1,
     .scope = GP_SCOPE_ALL, .def = 0, .def_2d = 0.99, .first_visit = 0.99},
    {.name = "gp_weight", .label = "Gradient penalty weight", .help = "WGAN-GP: weight λ of the penalty that keeps "
     "D's slope near 1.", .type = GP_SETTING_FLOAT, .offset = OFF(gp_weight), .lo = 0, .hi = 1000, .live = 1,
     .scope = GP_SCOPE_ALL, .def = 10, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "r1", .label = "R1 penalty", .help = "Weight γ of γ/2·|∇ₓD(x)|² on real images (Mescheder et al. 2018): D "
     "stays smooth where the data is. 0: off.", .type = GP_SETTING_FLOAT, .offset = OFF(r1), .lo = 0, .hi = 1000,
     .live = 1, .scope = GP_SCOPE_ALL, .def = 0, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "spectral_norm", .label = "Spectral norm in D", .help = "Each of D's weight matrices divided by its "
     "largest singular value (Miyato et al. 2018), which bounds how fast D can change; D then has no BatchNorm.",
     .type = GP_SETTING_CHOICE, .offset = OFF(spectral_norm), .lo = 0, .hi = 1, .choice = off_on,
     .choice_label = off_on_label, .scope = GP_SCOPE_ALL, .def = 0, .def_2d = KEEP, .first_visit = KEEP},
    {.name = "augment", .label = "Augmentation for D", .help = "DiffAugment: real and fake images are shifted (and "
     "partly blanked, and in the colour modes brightened, saturated and contrasted) alike before D sees them, so D "
     "cannot memorize a small training set.", .type = GP_SETTING_CHOICE,
     .offset = OFF(augment), .lo = 0, .hi = GP_AUGMENT_COUNT - 1, .choice = augment_choice,
     .choice_label = augment_label, .live = 1, .scope = GP_SCOPE_IMAGE, .def = GP_AUGMENT_NONE, .def_2d = KEEP,
     .first_visit = KEEP},
    {.name = "g_layers", .label = "G hidden layers", .help = "Hidden layers of the 2-D generator (0: an affine map of "
     "z).", .type = GP_SETTING_INT, .offset = OFF(g_layers), .lo = 0, .hi = 4, .scope = GP_SCOPE_2D, .def = 2,
     .def_2d = KEEP, .first_visit = KEEP},
    {.name = "g_width", .label = "G layer width", .help = "Neurons in each of G's hidden layers.",
     .type = GP_SETTING_INT, .offset = OFF(g_width), .lo = 1, .hi = 64, .scope = GP_SCOPE_2D, .def = 32,
     .def_2d = 64, .first_visit = KEEP},
    {.name = "d_layers", .label = "D hidden layers", .help = "Hidden layers of the 2-D discriminator (0: a linear "
     "boundary).", .type = GP_SETTING_INT, .offset = OFF(d_layers), .lo = 0, .hi = 4, .scope = GP_SCOPE_2D, .def = 2,
     .def_2d = KEEP, .first_visit = KEEP},
    {.name = "d_width", .label = "D layer width", .help = "Neurons in each of D's hidden layers.",
     .type = GP_SETTING_INT, .offset = OFF(d_width), .lo = 1, .hi = 64, .scope = GP_SCOPE_2D, .def = 32,
     .def_2d = 64, .first_visit = KEEP},
    {.name = "activation", .label = "Activation", .help = "The nonlinearity after each hidden layer of the 2-D "
     "networks.", .type = GP_SETTING_CHOICE, .offset = OFF(activation), .lo = 0, .hi = GP_ACT_COUNT - 1,
     .choice = act_choice, .choice_label = act_label, .scope = GP_SCOPE_2D, .def = GP_ACT_RELU,
     .def_2d = GP_ACT_LEAKY_RELU,
     .first_visit = KEEP},
    {.name = "seed", .label = "Training seed", .help = "Initial weights, batches and noise: the same seed trains the "
     "same model.", .type = GP_SETTING_SEED, .offset = OFF(seed), .lo = 0, .hi = 9007199254740991.0,
     .scope = GP_SCOPE_ALL, .def = 1, .def_2d = KEEP, .first_visit = KEEP},
};
#undef KEEP
#undef OFF
const int GP_N_SETTINGS = (int)(sizeof GP_SETTINGS / sizeof GP_SETTINGS[0]);

/* "mlp, dcgan": the presets' names, for messages. */
static const char *preset_names(char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < GP_N_PRESETS && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", GP_PRESETS[i].name);
    return buf;
}

const gp_preset_info *gp_preset_find(const char *name) {
    for (int i = 0; i < GP_N_PRESETS; i++)
        if (!strncmp(name, GP_PRESETS[i].name, GP_NAME_LEN)) return &GP_PRESETS[i];
    return NULL;
}

const gp_setting *gp_setting_find(const char *name) {
    for (int i = 0; i < GP_N_SETTINGS; i++)
        if (!strcmp(name, GP_SETTINGS[i].name)) return &GP_SETTINGS[i];
    return NULL;
}

/* The value of a column where it says one, else the default. */
static double column(double v, double fallback) { return isnan(v) ? fallback : v; }

static void set_value(gp_gan_config *cfg, const gp_setting *s, double v) {
    char *p = (char *)cfg + s->offset;
    switch (s->type) {
    case GP_SETTING_INT:
    case GP_SETTING_CHOICE: *(int *)(void *)p = (int)v; break;
    case GP_SETTING_FLOAT: *(float *)(void *)p = (float)v; break;
    case GP_SETTING_SEED: *(uint64_t *)(void *)p = (uint64_t)v; break;
    }
}

double gp_setting_get(const gp_gan_config *cfg, const gp_setting *s) {
    const char *p = (const char *)cfg + s->offset;
    switch (s->type) {
    case GP_SETTING_INT:
    case GP_SETTING_CHOICE: return *(const int *)(const void *)p;
    case GP_SETTING_FLOAT: return *(const float *)(const void *)p;
    case GP_SETTING_SEED: return (double)*(const uint64_t *)(const void *)p;
    }
    return 0.0;
}

static void range_text(const gp_setting *s, char *buf, size_t cap) {
    if (s->type == GP_SETTING_CHOICE) {
        size_t n = 0;
        buf[0] = 0;
        for (int i = 0; s->choice(i) && n < cap; i++)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", s->choice(i));
    } else if (s->type == GP_SETTING_FLOAT) {
        snprintf(buf, cap, "%c%g, %g%c", s->lo_open ? '(' : '[', s->lo, s->hi, s->hi_open ? ')' : ']');
    } else {
        snprintf(buf, cap, "%.0f..%.0f", s->lo, s->hi);
    }
}

static gp_status refuse(const gp_setting *s, const char *got, gp_err *err) {
    char range[160];
    range_text(s, range, sizeof range);
    const char *what = s->type == GP_SETTING_CHOICE ? "one of" : s->type == GP_SETTING_FLOAT ? "a number in"
                                                                                             : "a whole number in";
    return gp_fail(err, GP_ERR_ARG, "%s: must be %s %s, got %.40s", s->label, what, range, got);
}

static int in_range(const gp_setting *s, double v) {
    if (!isfinite(v)) return 0;
    if (s->lo_open ? !(v > s->lo) : !(v >= s->lo)) return 0;
    if (s->hi_open ? !(v < s->hi) : !(v <= s->hi)) return 0;
    if (s->type != GP_SETTING_FLOAT && v != floor(v)) return 0;
    return 1;
}

gp_status gp_setting_set(gp_gan_config *cfg, const gp_setting *s, double v, gp_err *err) {
    if (!in_range(s, v)) {
        char got[48];
        snprintf(got, sizeof got, "%.10g", v);
        return refuse(s, got, err);
    }
    set_value(cfg, s, v);
    return GP_OK;
}

gp_status gp_setting_parse(gp_gan_config *cfg, const gp_setting *s, const char *text, gp_err *err) {
    if (s->type == GP_SETTING_CHOICE)
        for (int i = 0; s->choice(i); i++)
            if (!strcmp(text, s->choice(i))) return gp_setting_set(cfg, s, i, err);
    /* decimal only: strtod would take hex ("0x10") and "inf" */
    int decimal = *text != 0;
    for (const char *c = text; *c; c++)
        if (!strchr("0123456789+-.eE", *c)) decimal = 0;
    char *end = NULL;
    errno = 0;
    double v = decimal ? strtod(text, &end) : NAN;
    if (!decimal || errno || *end || (s->type == GP_SETTING_CHOICE && !(v >= 0 && v < 64 && s->choice((int)v)))) return refuse(s, text, err);
    if (s->type == GP_SETTING_SEED) { /* exact, digits only, 0..2^53-1 as the message says */
        for (const char *c = text; *c; c++)
            if (*c < '0' || *c > '9') return refuse(s, text, err);
        unsigned long long u = strtoull(text, &end, 10);
        if (errno || *end || u > (unsigned long long)s->hi) return refuse(s, text, err);
        *(uint64_t *)(void *)((char *)cfg + s->offset) = u;
        return GP_OK;
    }
    if (!in_range(s, v)) return refuse(s, text, err); /* the message repeats what was typed */
    return gp_setting_set(cfg, s, v, err);
}

void gp_setting_format(const gp_gan_config *cfg, const gp_setting *s, char *buf, size_t cap) {
    double v = gp_setting_get(cfg, s);
    if (s->type == GP_SETTING_CHOICE) snprintf(buf, cap, "%s", s->choice((int)v));
    else if (s->type == GP_SETTING_SEED) snprintf(buf, cap, "%llu", (unsigned long long)*(const uint64_t *)(const void *)((const char *)cfg + s->offset));
    else { /* the shortest text that reads back as the same float */
        for (int digits = 6; digits <= 9; digits++) {
            snprintf(buf, cap, "%.*g", digits, v);
            if ((float)strtod(buf, NULL) == (float)v) break;
        }
    }
}

const gp_recipe_info GP_RECIPES[] = {
    {"first_visit", "First visit", "What Start trains on a first visit: the seed MLP GAN with faster learning rates "
     "and a moving average of G, which draws recognizable digits within about 2,000 steps (digit FD 134 at 1,800 "
     "steps against 337 with the preset's own rates)."},
    {"emoji", "Emoji", "What Start trains on the emoji: the shipped emoji generator's recipe, the DCGAN conditional "
     "as ACGAN (D also names the category) with a moving average of G and translation augmentation for D "
     "(models/emoji-cdcgan.md)."},
};
const int GP_N_RECIPES = (int)(sizeof GP_RECIPES / sizeof GP_RECIPES[0]);

gp_status gp_gan_config_default(gp_gan_config *cfg, const char *preset, gp_err *err) {
    memset(cfg, 0, sizeof *cfg);
    char names[128];
    if (!preset || strlen(preset) >= GP_NAME_LEN || !gp_preset_find(preset))
        return gp_fail(err, GP_ERR_ARG, "unknown preset '%.40s' (available: %s)", preset ? preset : "",
                       preset_names(names, sizeof names));
    int is_2d = gp_preset_find(preset)->is_2d;
    strcpy(cfg->preset, preset);
    strcpy(cfg->dataset, is_2d ? "ring" : "mnist");
    cfg->channels = gp_preset_find(preset)->channels;
    cfg->height = gp_preset_find(preset)->height;
    cfg->width = gp_preset_find(preset)->width;
    for (int i = 0; i < GP_N_SETTINGS; i++) {
        const gp_setting *s = &GP_SETTINGS[i];
        set_value(cfg, s, is_2d ? column(s->def_2d, s->def) : s->def);
    }
    return GP_OK;
}

gp_status gp_gan_config_recipe(gp_gan_config *cfg, const char *preset, const char *recipe, gp_err *err) {
    gp_gan_config c;
    gp_status st = gp_gan_config_default(&c, preset, err);
    if (st != GP_OK) return st;
    if (recipe && *recipe) {
        if (!strcmp(recipe, "emoji")) {
            if (strcmp(c.preset, "dcgan") != 0)
                return gp_fail(err, GP_ERR_ARG, "the emoji recipe is the DCGAN's, not the %.15s preset's", c.preset);
            c.cond = GP_COND_ACGAN;
            c.ema = 0.999f;
            c.augment = GP_AUGMENT_TRANSLATE;
        } else if (strcmp(recipe, "first_visit") != 0) {
            return gp_fail(err, GP_ERR_ARG, "unknown recipe '%.40s' (first_visit, emoji)", recipe);
        } else {
            for (int i = 0; i < GP_N_SETTINGS; i++)
                if (!isnan(GP_SETTINGS[i].first_visit)) set_value(&c, &GP_SETTINGS[i], GP_SETTINGS[i].first_visit);
        }
    }
    *cfg = c;
    return GP_OK;
}

static int name_ok(const char *s) {
    const char *nul = memchr(s, 0, GP_NAME_LEN);
    size_t n = nul ? (size_t)(nul - s) : GP_NAME_LEN;
    if (n == 0 || n == GP_NAME_LEN) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 32 || s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] == 127) return 0;
    return 1;
}

void gp_gan_config_image(const gp_gan_config *cfg, int *channels, int *height, int *width) {
    const gp_preset_info *p = gp_preset_find(cfg->preset);
    int own = cfg->channels || cfg->height || cfg->width;
    *channels = own ? cfg->channels : p ? p->channels : 0;
    *height = own ? cfg->height : p ? p->height : 0;
    *width = own ? cfg->width : p ? p->width : 0;
}

/* Whether the preset makes images of c x h x w (the message says why not). */
static gp_status image_ok(const gp_preset_info *p, int c, int h, int w, gp_err *err) {
    if (p->is_2d) {
        if (c != p->channels || h != p->height || w != p->width)
            return gp_fail(err, GP_ERR_ARG, "Image: a 2-D GAN makes points (2x1x1), not %dx%dx%d images", c, h, w);
        return GP_OK;
    }
    if ((c != 1 && c != 3) || h < 1 || h > 256 || w < 1 || w > 256)
        return gp_fail(err, GP_ERR_ARG, "Image: %dx%dx%d is not supported (1 or 3 channels, sides 1..256, e.g. 1x28x28 "
                       "or 3x32x32)", c, h, w);
    if (!strcmp(p->name, "dcgan") && (h % 4 || w % 4))
        return gp_fail(err, GP_ERR_ARG, "Image: the DCGAN needs sides that are multiples of 4, not %dx%d", h, w);
    return GP_OK;
}

gp_status gp_gan_config_set_image(gp_gan_config *cfg, int channels, int height, int width, gp_err *err) {
    const gp_preset_info *p = gp_preset_find(cfg->preset);
    if (!p) return gp_fail(err, GP_ERR_ARG, "Preset: unknown preset '%.15s'", cfg->preset);
    gp_status st = image_ok(p, channels, height, width, err);
    if (st != GP_OK) return st;
    cfg->channels = channels;
    cfg->height = height;
    cfg->width = width;
    return GP_OK;
}

gp_status gp_gan_config_check(const gp_gan_config *cfg, gp_err *err) {
    char names[128];
    if (!gp_preset_find(cfg->preset))
        return gp_fail(err, GP_ERR_ARG, "Preset: unknown preset '%.15s' (available: %s)", cfg->preset,
                       preset_names(names, sizeof names));
    if (!name_ok(cfg->dataset)) return gp_fail(err, GP_ERR_ARG, "Dataset: the name must be 1..15 plain characters");
    for (int i = 0; i < GP_N_SETTINGS; i++) {
        const gp_setting *s = &GP_SETTINGS[i];
        if (s->type == GP_SETTING_SEED) continue; /* every u64 is a seed */
        double v = gp_setting_get(cfg, s);
        if (!in_range(s, v)) {
            char got[48];
            snprintf(got, sizeof got, "%.10g", v);
            return refuse(s, got, err);
        }
    }
    if (gp_preset_find(cfg->preset)->is_2d) {
        if (cfg->latent > 2) return gp_fail(err, GP_ERR_ARG, "Latent size: a 2-D GAN's noise has 1 or 2 dimensions, got %d", cfg->latent);
        if (cfg->cond != GP_COND_NONE) return gp_fail(err, GP_ERR_ARG, "Class conditioning: a 2-D GAN is unconditional");
        if (cfg->augment != GP_AUGMENT_NONE) return gp_fail(err, GP_ERR_ARG, "Augmentation for D: images only, not 2-D points");
    }
    int c, h, w;
    gp_gan_config_image(cfg, &c, &h, &w);
    gp_status st = image_ok(gp_preset_find(cfg->preset), c, h, w, err);
    if (st != GP_OK) return st;
    if (cfg->cond == GP_COND_NONE && cfg->classes != 0)
        return gp_fail(err, GP_ERR_ARG, "Classes: an unconditional model has 0 classes, got %d", cfg->classes);
    if (cfg->cond != GP_COND_NONE && (cfg->classes < 2 || cfg->classes > GP_MAX_CLASSES))
        return gp_fail(err, GP_ERR_ARG, "Classes: a class-conditional model needs 2..%d classes, got %d", GP_MAX_CLASSES,
                       cfg->classes);
    for (int k = 0; k < cfg->classes; k++)
        if (!name_ok(cfg->class_names[k]))
            return gp_fail(err, GP_ERR_ARG, "Classes: name %d must be 1..15 plain characters", k);
    return GP_OK;
}

gp_status gp_gan_config_set_classes(gp_gan_config *cfg, int classes, gp_err *err) {
    gp_gan_config c = *cfg;
    memset(c.class_names, 0, sizeof c.class_names);
    c.classes = c.cond == GP_COND_NONE ? 0 : classes;
    for (int k = 0; k < c.classes && k < GP_MAX_CLASSES; k++) {
        const char *known = gp_dataset_class_name(c.dataset, k);
        if (known) snprintf(c.class_names[k], GP_NAME_LEN, "%s", known);
        else snprintf(c.class_names[k], GP_NAME_LEN, "%d", k);
    }
    gp_status st = gp_gan_config_check(&c, err);
    if (st == GP_OK) *cfg = c;
    return st;
}

/* ---- JSON ------------------------------------------------------------------ */

static const char *const TYPE_NAMES[] = {"int", "float", "seed", "choice"};
static const char *const SCOPE_NAMES[] = {"all", "image", "2d"};

/* a column's value as the page reads it: a choice by name, a number, or null (no change) */
static void column_json(gp_json *j, const char *key, const gp_setting *s, double v) {
    gp_json_key(j, key);
    if (isnan(v)) gp_json_null(j);
    else if (s->type == GP_SETTING_CHOICE) gp_json_str(j, s->choice((int)v));
    else gp_json_num(j, v);
}

static void setting_json(gp_json *j, const gp_setting *s) {
    gp_json_open(j, '{');
    gp_json_kstr(j, "name", s->name);
    gp_json_kstr(j, "label", s->label);
    gp_json_kstr(j, "help", s->help);
    gp_json_kstr(j, "type", TYPE_NAMES[s->type]);
    /* exact (the seed's 2^53-1 has 16 digits) */
    gp_json_key(j, "min");
    gp_json_double(j, s->lo);
    gp_json_key(j, "max");
    gp_json_double(j, s->hi);
    gp_json_kbool(j, "min_open", s->lo_open);
    gp_json_kbool(j, "max_open", s->hi_open);
    gp_json_kbool(j, "live", s->live);
    gp_json_kstr(j, "scope", SCOPE_NAMES[s->scope]);
    if (s->type == GP_SETTING_CHOICE) {
        gp_json_key(j, "choices");
        gp_json_open(j, '[');
        for (int k = 0; s->choice(k); k++) gp_json_str(j, s->choice(k));
        gp_json_close(j, ']');
        gp_json_key(j, "choice_labels");
        gp_json_open(j, '[');
        for (int k = 0; s->choice(k); k++) gp_json_str(j, s->choice_label(k));
        gp_json_close(j, ']');
    }
    column_json(j, "default", s, s->def);
    column_json(j, "default_2d", s, s->def_2d);
    column_json(j, "first_visit", s, s->first_visit);
    gp_json_close(j, '}');
}

void gp_settings_json(gp_json *j) {
    gp_json_open(j, '{');
    gp_json_key(j, "settings");
    gp_json_open(j, '[');
    for (int i = 0; i < GP_N_SETTINGS; i++) setting_json(j, &GP_SETTINGS[i]);
    gp_json_close(j, ']');
    gp_json_key(j, "presets");
    gp_json_open(j, '[');
    for (int i = 0; i < GP_N_PRESETS; i++) {
        const gp_preset_info *p = &GP_PRESETS[i];
        gp_json_open(j, '{');
        gp_json_kstr(j, "name", p->name);
        gp_json_kstr(j, "label", p->label);
        gp_json_kstr(j, "help", p->help);
        gp_json_key(j, "image");
        gp_json_open(j, '{');
        gp_json_kint(j, "channels", p->channels);
        gp_json_kint(j, "height", p->height);
        gp_json_kint(j, "width", p->width);
        gp_json_close(j, '}');
        gp_json_kbool(j, "is_2d", p->is_2d);
        gp_json_close(j, '}');
    }
    gp_json_close(j, ']');
    gp_json_key(j, "losses");
    gp_json_open(j, '[');
    for (int i = 0; i < GP_LOSS_COUNT; i++) gp_loss_json(j, i);
    gp_json_close(j, ']');
    gp_json_key(j, "recipes");
    gp_json_open(j, '[');
    for (int i = 0; i < GP_N_RECIPES; i++) {
        gp_json_open(j, '{');
        gp_json_kstr(j, "name", GP_RECIPES[i].name);
        gp_json_kstr(j, "label", GP_RECIPES[i].label);
        gp_json_kstr(j, "help", GP_RECIPES[i].help);
        gp_json_close(j, '}');
    }
    gp_json_close(j, ']');
    gp_json_close(j, '}');
}

void gp_config_json(const gp_gan_config *cfg, gp_json *j) {
    gp_json_open(j, '{');
    gp_json_kstr(j, "preset", cfg->preset);
    gp_json_kstr(j, "dataset", cfg->dataset);
    int c, h, w;
    gp_gan_config_image(cfg, &c, &h, &w);
    gp_json_key(j, "image");
    gp_json_open(j, '{');
    gp_json_kint(j, "channels", c);
    gp_json_kint(j, "height", h);
    gp_json_kint(j, "width", w);
    gp_json_close(j, '}');
    for (int i = 0; i < GP_N_SETTINGS; i++) {
        const gp_setting *s = &GP_SETTINGS[i];
        char text[64];
        gp_setting_format(cfg, s, text, sizeof text);
        gp_json_key(j, s->name);
        if (s->type == GP_SETTING_CHOICE) gp_json_str(j, text);
        else gp_json_raw(j, text); /* the shortest text that reads back as the value */
    }
    gp_json_kint(j, "classes", cfg->classes);
    gp_json_key(j, "class_names");
    gp_json_open(j, '[');
    for (int k = 0; k < cfg->classes; k++) gp_json_str(j, cfg->class_names[k]);
    gp_json_close(j, ']');
    gp_json_close(j, '}');
}

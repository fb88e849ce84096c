#include "gan/config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
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
    {"toy2d", "2-D GAN (points in the plane)", "Small fully connected G and D on 2-D toy distributions, to watch the "
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

static const char *const AUGMENT_NAMES[GP_AUGMENT_COUNT] = {"none", "translate", "translate_cutout"};
static const char *const AUGMENT_LABELS[GP_AUGMENT_COUNT] = {"None", "Translation", "Translation and cutout"};
static const char *augment_choice(int i) { return i >= 0 && i < GP_AUGMENT_COUNT ? AUGMENT_NAMES[i] : NULL; }
static const char *augment_label(int i) { return i >= 0 && i < GP_AUGMENT_COUNT ? AUGMENT_LABELS[i] : NULL; }

#define OFF(field) offsetof(gp_gan_config, field)
const gp_setting GP_SETTINGS[] = {
    {"loss", "Loss", "The game's payoff: what D and G each minimize.", GP_SETTING_CHOICE, OFF(loss), 0,
     GP_LOSS_COUNT - 1, 0, 0, loss_choice, loss_label, 1, GP_SCOPE_ALL},
    {"lr_g", "Learning rate of G", "Step size of the generator's optimizer.", GP_SETTING_FLOAT, OFF(lr_g), 0, 1, 1, 0, NULL, NULL, 1, GP_SCOPE_ALL},
    {"lr_d", "Learning rate of D", "Step size of the discriminator's optimizer.", GP_SETTING_FLOAT, OFF(lr_d), 0, 1, 1, 0,
     NULL, NULL, 1, GP_SCOPE_ALL},
    {"optimizer", "Optimizer", "Adam (running averages of the gradient and its square) or plain SGD (a step against "
     "the gradient, scaled by the learning rate).", GP_SETTING_CHOICE, OFF(optimizer), 0, GP_OPT_COUNT - 1, 0, 0,
     opt_choice, opt_label, 1, GP_SCOPE_ALL},
    {"beta1", "Adam β1", "Decay of Adam's running mean of gradients (0.5 is usual for GANs).", GP_SETTING_FLOAT,
     OFF(beta1), 0, 1, 0, 1, NULL, NULL, 1, GP_SCOPE_ALL},
    {"beta2", "Adam β2", "Decay of Adam's running mean of squared gradients.", GP_SETTING_FLOAT, OFF(beta2), 0, 1, 0,
     1, NULL, NULL, 1, GP_SCOPE_ALL},
    {"adam_eps", "Adam ε", "Added to Adam's denominator for stability.", GP_SETTING_FLOAT, OFF(adam_eps), 0, 1, 1, 1,
     NULL, NULL, 1, GP_SCOPE_ALL},
    {"batch", "Batch size", "Real and fake images per step.", GP_SETTING_INT, OFF(batch), 2, 1024, 0, 0, NULL, NULL, 0, GP_SCOPE_ALL},
    {"latent", "Latent size", "Length of the noise vector z that G turns into an image.", GP_SETTING_INT,
     OFF(latent), 1, 1024, 0, 0, NULL, NULL, 0, GP_SCOPE_ALL},
    {"d_steps", "D steps per round", "Discriminator updates in each round, before the generator's.", GP_SETTING_INT,
     OFF(d_steps), 1, 16, 0, 0, NULL, NULL, 1, GP_SCOPE_ALL},
    {"g_steps", "G steps per round", "Generator updates in each round, after the discriminator's.", GP_SETTING_INT,
     OFF(g_steps), 1, 16, 0, 0, NULL, NULL, 1, GP_SCOPE_ALL},
    {"noise", "Noise distribution", "What z is drawn from: Gaussian N(0, 1) or uniform on [-1, 1].",
     GP_SETTING_CHOICE, OFF(noise), 0, GP_NOISE_COUNT - 1, 0, 0, noise_choice, noise_label, 0, GP_SCOPE_ALL},
    {"real_label", "Real label (smoothing)", "Target for real images; below 1 is one-sided label smoothing.",
     GP_SETTING_FLOAT, OFF(real_label), 0.5, 1, 0, 0, NULL, NULL, 1, GP_SCOPE_ALL},
    {"cond", "Class conditioning", "none: unconditional; acgan: D also names the class; concat: D sees the class as "
     "extra image planes. G always gets the class beside z.", GP_SETTING_CHOICE, OFF(cond), 0, GP_COND_COUNT - 1, 0,
     0, cond_choice, cond_label, 0, GP_SCOPE_IMAGE},
    {"aux_weight", "Class loss weight", "ACGAN: weight of D's and G's class loss beside the adversarial loss.",
     GP_SETTING_FLOAT, OFF(aux_weight), 0, 10, 0, 0, NULL, NULL, 1, GP_SCOPE_IMAGE},
    {"ema", "EMA of G", "Decay of a moving average of G's weights used for sampling (0: off; 0.999 is typical).",
     GP_SETTING_FLOAT, OFF(ema), 0, 1, 0, 1, NULL, NULL, 0, GP_SCOPE_ALL},
    {"gp_weight", "Gradient penalty weight", "WGAN-GP: weight λ of the penalty that keeps D's slope near 1.",
     GP_SETTING_FLOAT, OFF(gp_weight), 0, 1000, 0, 0, NULL, NULL, 1, GP_SCOPE_ALL},
    {"r1", "R1 penalty", "Weight γ of γ/2·|∇ₓD(x)|² on real images (Mescheder et al. 2018): D stays smooth where the "
     "data is. 0: off.", GP_SETTING_FLOAT, OFF(r1), 0, 1000, 0, 0, NULL, NULL, 1, GP_SCOPE_ALL},
    {"spectral_norm", "Spectral norm in D", "Each of D's weight matrices divided by its largest singular value "
     "(Miyato et al. 2018), which bounds how fast D can change; D then has no BatchNorm.", GP_SETTING_CHOICE,
     OFF(spectral_norm), 0, 1, 0, 0, off_on, off_on_label, 0, GP_SCOPE_ALL},
    {"augment", "Augmentation for D", "DiffAugment: real and fake images are shifted (and partly blanked) alike "
     "before D sees them, so D cannot memorize a small training set.", GP_SETTING_CHOICE, OFF(augment), 0,
     GP_AUGMENT_COUNT - 1, 0, 0, augment_choice, augment_label, 1, GP_SCOPE_IMAGE},
    {"g_layers", "G hidden layers", "Hidden layers of the 2-D generator (0: an affine map of z).", GP_SETTING_INT,
     OFF(g_layers), 0, 4, 0, 0, NULL, NULL, 0, GP_SCOPE_POINTS},
    {"g_width", "G layer width", "Neurons in each of G's hidden layers.", GP_SETTING_INT, OFF(g_width), 1, 64, 0, 0,
     NULL, NULL, 0, GP_SCOPE_POINTS},
    {"d_layers", "D hidden layers", "Hidden layers of the 2-D discriminator (0: a linear boundary).", GP_SETTING_INT,
     OFF(d_layers), 0, 4, 0, 0, NULL, NULL, 0, GP_SCOPE_POINTS},
    {"d_width", "D layer width", "Neurons in each of D's hidden layers.", GP_SETTING_INT, OFF(d_width), 1, 64, 0, 0,
     NULL, NULL, 0, GP_SCOPE_POINTS},
    {"activation", "Activation", "The nonlinearity after each hidden layer of the 2-D networks.", GP_SETTING_CHOICE,
     OFF(activation), 0, GP_ACT_COUNT - 1, 0, 0, act_choice, act_label, 0, GP_SCOPE_POINTS},
    {"seed", "Training seed", "Initial weights, batches and noise: the same seed trains the same model.",
     GP_SETTING_SEED, OFF(seed), 0, 9007199254740991.0, 0, 0, NULL, NULL, 0, GP_SCOPE_ALL},
};
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
    char *p = (char *)cfg + s->offset;
    switch (s->type) {
    case GP_SETTING_INT:
    case GP_SETTING_CHOICE: *(int *)(void *)p = (int)v; break;
    case GP_SETTING_FLOAT: *(float *)(void *)p = (float)v; break;
    case GP_SETTING_SEED: *(uint64_t *)(void *)p = (uint64_t)v; break;
    }
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
    if (s->type == GP_SETTING_SEED) { /* exact up to 2^64-1 */
        if (*text == '-') return refuse(s, text, err);
        unsigned long long u = strtoull(text, &end, 10);
        if (errno || *end) return refuse(s, text, err);
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

gp_status gp_gan_config_default(gp_gan_config *cfg, const char *preset, gp_err *err) {
    memset(cfg, 0, sizeof *cfg);
    char names[128];
    if (!preset || strlen(preset) >= GP_NAME_LEN || !gp_preset_find(preset))
        return gp_fail(err, GP_ERR_ARG, "unknown preset '%.40s' (available: %s)", preset ? preset : "",
                       preset_names(names, sizeof names));
    strcpy(cfg->preset, preset);
    strcpy(cfg->dataset, "mnist");
    cfg->batch = 64;
    cfg->latent = 100;
    cfg->lr_g = 2e-4f;
    cfg->lr_d = 2e-4f;
    cfg->beta1 = 0.5f;
    cfg->beta2 = 0.999f;
    cfg->adam_eps = 1e-8f;
    cfg->d_steps = 1;
    cfg->loss = GP_LOSS_NONSATURATING;
    cfg->real_label = 1.0f;
    cfg->cond = GP_COND_NONE;
    cfg->aux_weight = 1.0f;
    cfg->ema = 0.0f;
    cfg->gp_weight = 10.0f;
    cfg->r1 = 0.0f;
    cfg->optimizer = GP_OPT_ADAM;
    cfg->g_steps = 1;
    cfg->noise = GP_NOISE_GAUSSIAN;
    cfg->g_layers = 2;
    cfg->g_width = 32;
    cfg->d_layers = 2;
    cfg->d_width = 32;
    cfg->activation = GP_ACT_RELU;
    cfg->seed = 1;
    if (gp_preset_find(preset)->points) { /* small networks learn fast on points */
        strcpy(cfg->dataset, "ring");
        cfg->batch = 128;
        cfg->latent = 2;
        cfg->lr_g = 1e-3f;
        cfg->lr_d = 1e-3f;
    }
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
    if (gp_preset_find(cfg->preset)->points) {
        if (cfg->latent > 2) return gp_fail(err, GP_ERR_ARG, "Latent size: a 2-D GAN's noise has 1 or 2 dimensions, got %d", cfg->latent);
        if (cfg->cond != GP_COND_NONE) return gp_fail(err, GP_ERR_ARG, "Class conditioning: a 2-D GAN is unconditional");
        if (cfg->augment != GP_AUGMENT_NONE) return gp_fail(err, GP_ERR_ARG, "Augmentation for D: images only, not 2-D points");
    }
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

typedef struct {
    char *buf;
    size_t cap, len;
} jbuf;

static void jput(jbuf *j, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = j->len < j->cap ? j->cap - j->len : 0;
    int n = vsnprintf(room ? j->buf + j->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) j->len += (size_t)n;
}

/* Our strings are ASCII or UTF-8 without quotes or backslashes. */
static void jstr(jbuf *j, const char *key, const char *v, int comma) {
    jput(j, "%s\"%s\":\"%s\"", comma ? "," : "", key, v);
}

static void jnum(jbuf *j, const char *key, double v, int comma) {
    if (isfinite(v)) jput(j, "%s\"%s\":%.9g", comma ? "," : "", key, v);
    else jput(j, "%s\"%s\":null", comma ? "," : "", key);
}

static size_t jdone(jbuf *j) {
    if (j->cap) j->buf[j->len < j->cap ? j->len : j->cap - 1] = 0;
    return j->len;
}

static const char *const TYPE_NAMES[] = {"int", "float", "seed", "choice"};

size_t gp_settings_json(char *buf, size_t cap) {
    jbuf j = {buf, cap, 0};
    jput(&j, "{\"settings\":[");
    for (int i = 0; i < GP_N_SETTINGS; i++) {
        const gp_setting *s = &GP_SETTINGS[i];
        jput(&j, "%s{", i ? "," : "");
        jstr(&j, "name", s->name, 0);
        jstr(&j, "label", s->label, 1);
        jstr(&j, "help", s->help, 1);
        jstr(&j, "type", TYPE_NAMES[s->type], 1);
        jnum(&j, "min", s->lo, 1);
        jnum(&j, "max", s->hi, 1);
        jput(&j, ",\"minOpen\":%s,\"maxOpen\":%s,\"live\":%s,\"scope\":\"%s\"", s->lo_open ? "true" : "false",
             s->hi_open ? "true" : "false", s->live ? "true" : "false",
             s->scope == GP_SCOPE_IMAGE ? "image" : s->scope == GP_SCOPE_POINTS ? "points" : "all");
        if (s->type == GP_SETTING_CHOICE) {
            jput(&j, ",\"choices\":[");
            for (int k = 0; s->choice(k); k++) jput(&j, "%s\"%s\"", k ? "," : "", s->choice(k));
            jput(&j, "],\"choiceLabels\":[");
            for (int k = 0; s->choice(k); k++) jput(&j, "%s\"%s\"", k ? "," : "", s->choice_label(k));
            jput(&j, "]");
        }
        jput(&j, "}");
    }
    jput(&j, "],\"presets\":[");
    for (int i = 0; i < GP_N_PRESETS; i++) {
        jput(&j, "%s{", i ? "," : "");
        jstr(&j, "name", GP_PRESETS[i].name, 0);
        jstr(&j, "label", GP_PRESETS[i].label, 1);
        jstr(&j, "help", GP_PRESETS[i].help, 1);
        jput(&j, ",\"image\":{\"channels\":%d,\"height\":%d,\"width\":%d},\"points\":%s}", GP_PRESETS[i].channels,
             GP_PRESETS[i].height, GP_PRESETS[i].width, GP_PRESETS[i].points ? "true" : "false");
    }
    jput(&j, "],\"losses\":[");
    for (int i = 0; i < GP_LOSS_COUNT; i++) {
        jput(&j, "%s{", i ? "," : "");
        jstr(&j, "name", GP_LOSSES[i].name, 0);
        jstr(&j, "label", GP_LOSSES[i].label, 1);
        jstr(&j, "help", GP_LOSSES[i].help, 1);
        jput(&j, ",\"probability\":%s,\"gradientPenalty\":%s}", GP_LOSSES[i].probability ? "true" : "false",
             GP_LOSSES[i].gradient_penalty ? "true" : "false");
    }
    jput(&j, "]}");
    return jdone(&j);
}

size_t gp_config_json(const gp_gan_config *cfg, char *buf, size_t cap) {
    jbuf j = {buf, cap, 0};
    jput(&j, "{");
    jstr(&j, "preset", cfg->preset, 0);
    jstr(&j, "dataset", cfg->dataset, 1);
    for (int i = 0; i < GP_N_SETTINGS; i++) {
        const gp_setting *s = &GP_SETTINGS[i];
        char text[64];
        gp_setting_format(cfg, s, text, sizeof text);
        if (s->type == GP_SETTING_CHOICE) jstr(&j, s->name, text, 1);
        else jput(&j, ",\"%s\":%s", s->name, text);
    }
    jput(&j, ",\"classes\":%d,\"class_names\":[", cfg->classes);
    for (int k = 0; k < cfg->classes; k++) jput(&j, "%s\"%s\"", k ? "," : "", cfg->class_names[k]);
    jput(&j, "]}");
    return jdone(&j);
}

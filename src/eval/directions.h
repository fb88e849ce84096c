/* directions.h: latent directions with a name and a measured meaning.
 *
 * Two kinds, both unit vectors in z (one unit is one standard deviation of
 * the prior along it, so an amount is in standard deviations):
 *  - attribute directions (InterFaceGAN, Shen et al. 2020): an image
 *    attribute anyone can check by eye is measured on G's samples (gray
 *    images: thickness = mean ink, slant, width and height from the image
 *    moments; colour images: brightness, saturation, hue) and a linear
 *    direction in z is fitted to it by least squares. For a conditional
 *    model the attribute is centred within each class first, so that the
 *    direction explains variation inside a class and the class input keeps
 *    the class;
 *  - principal directions (GANSpace, Härkönen et al. 2020): PCA of G's
 *    first hidden activations (up to its first nonlinearity, centred
 *    within each class) over many z, each component mapped back to z by
 *    regressing z on its coordinates.
 * Then each direction is measured on fresh samples moved by -2, -1, 0, 1
 * and 2 standard deviations: the attribute's mean at each amount (for a
 * principal direction the mean pixel distance from the unmoved image), the
 * share of samples whose value moves strictly monotonically, and, with a
 * classifier, the share read as their class at each end (class asked of a
 * conditional model, else the class read at amount 0) and, of those read
 * so unmoved, the share that keep it at both ends (class retention). A
 * direction that passes over -2..2 is offered over it; one that fails
 * there but passes over -1..1 is offered over that (see gp_direction_verdict). A
 * direction is offered only if it passes that measure (see
 * gp_direction.offered). Everything is deterministic from the model and
 * the seeds. */
#ifndef GP_DIRECTIONS_H
#define GP_DIRECTIONS_H

#include <stdint.h>

#include "base/json.h"
#include "base/status.h"
#include "eval/classifier.h"
#include "gan/gan.h"

#define GP_DIR_MAX 12
#define GP_DIR_AMOUNTS 5 /* the measure's amounts: -2, -1, 0, 1, 2 */
/* what a direction must show to be offered over a range (gp_direction_verdict) */
#define GP_DIR_MIN_MONOTONICITY 0.5
#define GP_DIR_MIN_RETENTION 0.9

/* An attribute of one image (values in [-1, 1], c x h x w). */
typedef enum {
    GP_ATTR_INK = 0,        /* mean ink (gray) in [0, 1] */
    GP_ATTR_SLANT,          /* -mu11 / mu02 of the ink: x shift per unit of height going up (a shear) */
    GP_ATTR_WIDTH,          /* sqrt(mu20) of the ink, pixels */
    GP_ATTR_HEIGHT,         /* sqrt(mu02) of the ink, pixels */
    GP_ATTR_BRIGHTNESS,     /* mean luma (0.299 R + 0.587 G + 0.114 B) in [0, 1] */
    GP_ATTR_SATURATION,     /* mean of max - min over the channels, in [0, 1] */
    GP_ATTR_HUE,            /* angle of the mean opponent colour (R - (G+B)/2, (G - B) sqrt(3)/2), radians */
    GP_ATTR_COUNT
} gp_attribute;

/* The attribute's name as a direction ("thickness", "slant", ...) and what is measured ("mean ink", ...). */
const char *gp_attribute_name(gp_attribute a);
const char *gp_attribute_measure(gp_attribute a);
double gp_attribute_value(gp_attribute a, const float *image, gp_shape s);

typedef enum { GP_DIR_PRINCIPAL = 0, GP_DIR_ATTRIBUTE = 1 } gp_dir_kind;

/* A direction's measure over a range of amounts (-2..2 or -1..1). With a
 * classifier (else -1), a sample's class is the one asked of a conditional
 * model, else the one the classifier reads unmoved. */
typedef struct {
    int means;              /* the means move strictly monotonically (principal: away from 0 on both sides) */
    double monotonicity;    /* share of samples that move so */
    double read_ends[2];    /* share of samples read as their class at the range's two ends */
    double read_at_0;       /* the same unmoved */
    double class_retention; /* of the samples read as their class unmoved, the share still read so at the end
                               where fewer are: the class the direction keeps, whatever the classifier's own
                               accuracy */
    int pass;               /* means, monotonicity >= 0.5, class retention >= 0.9 (if measured) */
} gp_direction_verdict;

typedef struct {
    char name[16];          /* "thickness", "slant", ..., or "pc1", "pc2", ... */
    gp_dir_kind kind;
    int attribute;          /* gp_attribute of an attribute direction, -1 for a principal one */
    double fit;             /* attribute: R^2 of the linear fit on the fitting samples; principal: share of the
                               hidden activations' variance the component explains */
    /* measured on fresh samples (measured is 0 before gp_directions_measure) */
    int measured;
    double at[GP_DIR_AMOUNTS];  /* mean attribute (principal: mean |pixel change| from amount 0) at -2..2 */
    /* the verdict over -2..2 (gp_direction_verdict's fields) */
    int means;
    double monotonicity, read_ends[2], read_at_0, class_retention;
    int range;              /* the amounts it is offered over: 2 (it passes over -2..2), else 1 (over -1..1), else 0 */
    gp_direction_verdict in_range; /* the verdict over that range */
    int offered;            /* range > 0 */
} gp_direction;

typedef struct {
    int n, latent;
    gp_direction d[GP_DIR_MAX];
    float v[GP_DIR_MAX * 512]; /* n x latent unit vectors (latent <= 512) */
} gp_direction_set;

typedef struct {
    int fit_samples;     /* samples the directions are fitted on (default 2000; 64..20000) */
    int measure_samples; /* fresh samples they are measured on (default 300; 8..5000) */
    int principal;       /* principal directions (default 4; 0..6) */
    uint64_t seed;       /* the fitting samples; the measure uses seed + 1 (default 1) */
} gp_direction_opts;

gp_direction_opts gp_direction_defaults(void);

/* Fits the directions (gray models: thickness, slant, width, height; colour:
 * brightness, saturation, hue; then the principal ones). The model is
 * left as it was. Refused: a latent over 512, bad options. */
gp_status gp_directions_fit(gp_gan *gan, const gp_direction_opts *o, gp_direction_set *set, gp_err *err);

/* Measures every direction of set on o->measure_samples fresh samples
 * (classifier may be NULL: class retention is then -1 and not required),
 * and marks which are offered. */
gp_status gp_directions_measure(gp_gan *gan, gp_classifier *clf, const gp_direction_opts *o, gp_direction_set *set,
                                gp_err *err);

/* The index of the direction called name, or -1. */
int gp_directions_find(const gp_direction_set *set, const char *name);

/* out = z + amount * direction k, for count latents (out may alias z). */
void gp_directions_move(const gp_direction_set *set, int k, const float *z, int count, double amount, float *out);

/* The set as a JSON array: per direction name, kind ("principal" or
 * "attribute"), measures, fit, and once measured: at, monotonicity,
 * class_retention (null without a classifier), offered. */
void gp_directions_json(const gp_direction_set *set, gp_json *j);

#endif

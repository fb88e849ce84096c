/* project.h: editing images with the generator, by inversion.
 *
 * gp_project finds a latent z whose image G(z) is closest to a target: Adam
 * on z through the frozen generator in evaluation mode (running BatchNorm
 * statistics, the moving average of the weights if the model has one),
 * from several starting points run as one batch, minimizing
 *   mean over counted pixels of (G(z) - target)^2  +  prior * mean(z^2),
 * and after each step every start's z is rescaled, if need be, back onto the
 * prior's typical shell (mean z^2 within 1 -+ 3 sqrt(2/latent)), so that
 * a drawing no latent draws exactly still gets a typical z.
 * A mask says which pixels count (1) and which G fills freely (0): that is
 * completion (inpainting); a noisy target gives denoising. For a
 * conditional model the class is given, or (label -1) the starting points
 * go through the classes in turn and the best one's class is kept.
 * A linear operator A may stand between G's image and the target, which
 * then has A's output size (and the mask too): the pixel term becomes
 *   mean over counted target pixels of (A G(z) - target)^2,
 * its gradient going back through A's adjoint. Area downscaling by K makes
 * it upscaling (the small picture is matched by G's image made small, the
 * prior keeping z typical fills in the rest); luminance makes it
 * colourising (a gray picture matched by the gray of G's colour image).
 * The generator's weights and gradients are not touched. */
#ifndef GP_PROJECT_H
#define GP_PROJECT_H

#include <stdint.h>

#include "gan/gan.h"
#include "base/status.h"

/* The operators A (gp_project_opts.op). */
enum {
    GP_PROJECT_OP_NONE = 0,  /* the target is G's image itself */
    GP_PROJECT_OP_DOWNSCALE, /* the mean of each K x K block, per channel (K = factor divides the sides) */
    GP_PROJECT_OP_LUMINANCE  /* 3 channels to 1: Y = 0.299 R + 0.587 G + 0.114 B, on [-1, 1] values */
};

typedef struct {
    int steps;       /* Adam steps (1..10000) */
    int restarts;    /* starting points, one batch (1..G's batch size) */
    float lr;        /* Adam's learning rate on z (0, 1] */
    float prior;     /* weight of mean(z^2) (0..100): keeps z typical */
    uint64_t seed;   /* the starting points: standard normals from this seed */
    int label;       /* conditional models: the class, or -1 to search them */
    int trace_every; /* record the image of the best start every n steps (0: never) */
    int op;          /* the operator between G's image and the target: GP_PROJECT_OP_* */
    int factor;      /* GP_PROJECT_OP_DOWNSCALE's K (1..the image's sides, dividing both) */
} gp_project_opts;

/* Defaults: 300 steps, 8 starts, lr 0.05, prior 0.001, seed 1, label -1,
 * no trace, no operator (factor 1). */
gp_project_opts gp_project_defaults(void);

/* Defaults for a search through operator op (factor for a downscale) with
 * the class unknown, as upscaling and colourising are: 120 steps, 20 starts
 * (two per class of a 10-class model), lr 0.1, prior 0.003, seed 1, label
 * -1, no trace. test_upscale measures them on held-out digits. */
gp_project_opts gp_project_op_defaults(int op, int factor);

/* The shape of the target for the operator op (factor for a downscale)
 * applied to images of shape image; refused with a message when the factor
 * does not divide the sides or luminance meets an image without 3 channels. */
gp_status gp_project_op_shape(int op, int factor, gp_shape image, gp_shape *out, gp_err *err);
/* y = A x: x of shape image, y of gp_project_op_shape's shape (op and factor checked by it). */
void gp_project_op_apply(int op, int factor, gp_shape image, const float *x, float *y);
/* x = A^T y, the adjoint: <A x, y> = <x, A^T y> for every x and y. */
void gp_project_op_adjoint(int op, int factor, gp_shape image, const float *y, float *x);
/* The projection's pixel term for one image y of shape image against
 * target (and mask, or NULL) of the operator's output shape, as the steps
 * compute it, into *loss; its gradient with respect to y into dy (image's
 * size) unless NULL. */
gp_status gp_project_image_loss(int op, int factor, gp_shape image, const float *y, const float *target,
                                const float *mask, float *loss, float *dy, gp_err *err);

typedef struct {
    float loss;  /* the pixel term of the result (mean squared error, counted pixels) */
    float prior; /* mean(z^2) of the result */
    int label;   /* its class (-1 for an unconditional model) */
    int start;   /* which starting point won */
    int traced;  /* images written to trace */
} gp_project_result;

/* target, and mask if not NULL: one image each of the operator's output
 * size (gp_shape_size(gan->image) floats without an operator; the target in
 * [-1, 1], mask values in [0, 1] with at least one above 0). Writes the latent (latent floats) to z_out and G(z) to
 * image_out (either may be NULL), up to trace_cap traced images to trace
 * (NULL when trace_every is 0; the last is always the result, whatever
 * room the steps would have needed), and res. Bad options or inputs are refused
 * with a message; the model is unchanged either way. */
gp_status gp_project(gp_gan *gan, const float *target, const float *mask, const gp_project_opts *opts, float *z_out,
                     float *image_out, float *trace, int trace_cap, gp_project_result *res, gp_err *err);

/* A projection in steps, for a caller that must stay responsive (the page's
 * worker takes a message between two calls, e.g. a cancel): begin, step
 * until steps_done == opts.steps, finish, end. gp_project is exactly these
 * calls, and the result is the same bit for bit however the steps are cut.
 * target, mask and trace are the caller's and must outlive the projection
 * (they are read and written by the steps); all the memory the projection
 * needs is taken in begin. The generator is used in evaluation mode on its
 * averaged weights inside each call and put back before it returns, so
 * other work may run on the model between two calls. */
typedef struct {
    gp_gan *gan;
    const float *target, *mask;
    float *trace;
    int trace_cap;
    gp_project_opts o;
    int R, L, C, W, n_img;
    int n_target;      /* the target's (and mask's) size: the operator's output, n_img without one */
    double counted;    /* the target pixels the loss is over */
    float *z, *m, *v;  /* each R x L: the starts' latents, Adam's moments */
    float *rows, *dy;  /* G's input rows (R x W), the loss's gradient (R x n_img) */
    float *loss, *total; /* each R */
    float *ay;         /* R x n_target: A G(z), then the loss's gradient there (an operator only) */
    int *labels;       /* each start's class */
    int steps_done;    /* Adam steps taken (0..o.steps) */
    int traced;        /* images written to trace so far */
    gp_status failed;  /* GP_OK, or why the steps stopped (a step's loss not finite, the model changed) */
} gp_projection;

/* Checks the inputs as gp_project does and takes the memory; on failure p
 * holds nothing (gp_project_end on it is harmless). */
gp_status gp_project_begin(gp_projection *p, gp_gan *gan, const float *target, const float *mask,
                           const gp_project_opts *opts, float *trace, int trace_cap, gp_err *err);

/* Up to n (>= 1) more Adam steps, fewer if the projection has fewer left.
 * Refused if the model's shape changed since begin, or after a failed step. */
gp_status gp_project_step(gp_projection *p, int n, gp_err *err);

/* After the last step: measures the result and writes it as gp_project
 * does (z_out, image_out, the trace's last image, res). Refused before. */
gp_status gp_project_finish(gp_projection *p, float *z_out, float *image_out, gp_project_result *res, gp_err *err);

/* Frees what begin took (p may be zeroed, ended already, or never begun
 * successfully). Nothing is written to the caller's buffers. */
void gp_project_end(gp_projection *p);

#endif

/* directions.c: named and principal latent directions (see directions.h). */
#include "eval/directions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/score.h"

#define MAX_LATENT 512
#define PCA_FLOATS (1 << 22) /* the activations PCA keeps at once (16 MB) */
#define PCA_ITERS 20

static const double AMOUNTS[GP_DIR_AMOUNTS] = {-2.0, -1.0, 0.0, 1.0, 2.0};

static const struct {
    const char *name, *measure;
} ATTRS[GP_ATTR_COUNT] = {
    [GP_ATTR_INK] = {"thickness", "mean ink"},
    [GP_ATTR_SLANT] = {"slant", "shear of the ink's second moments (-mu11/mu02)"},
    [GP_ATTR_WIDTH] = {"width", "horizontal spread of the ink, sqrt(mu20), pixels"},
    [GP_ATTR_HEIGHT] = {"height", "vertical spread of the ink, sqrt(mu02), pixels"},
    [GP_ATTR_BRIGHTNESS] = {"brightness", "mean luma"},
    [GP_ATTR_SATURATION] = {"saturation", "mean of max - min over the colour channels"},
    [GP_ATTR_HUE] = {"hue", "angle of the mean opponent colour, radians"},
};

const char *gp_attribute_name(gp_attribute a) { return a >= 0 && a < GP_ATTR_COUNT ? ATTRS[a].name : "?"; }
const char *gp_attribute_measure(gp_attribute a) { return a >= 0 && a < GP_ATTR_COUNT ? ATTRS[a].measure : "?"; }

gp_direction_opts gp_direction_defaults(void) {
    return (gp_direction_opts){.fit_samples = 2000, .measure_samples = 300, .principal = 4, .seed = 1};
}

/* ---- attributes ------------------------------------------------------------------------------ */

/* The ink's moments of a gray image (channel 0; ink = (x + 1) / 2, y down). */
static void moments(const float *im, int h, int w, double *mass, double *mu20, double *mu02, double *mu11) {
    double m = 0, sx = 0, sy = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v = (im[y * w + x] + 1.0) * 0.5;
            m += v, sx += v * x, sy += v * y;
        }
    *mass = m;
    *mu20 = *mu02 = *mu11 = 0.0;
    if (!(m > 1e-9)) return;
    double cx = sx / m, cy = sy / m, a = 0, b = 0, c = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v = (im[y * w + x] + 1.0) * 0.5, dx = x - cx, dy = y - cy;
            a += v * dx * dx, b += v * dy * dy, c += v * dx * dy;
        }
    *mu20 = a / m, *mu02 = b / m, *mu11 = c / m;
}

double gp_attribute_value(gp_attribute a, const float *im, gp_shape s) {
    int n = s.h * s.w;
    if (a <= GP_ATTR_HEIGHT) {
        double mass, mu20, mu02, mu11;
        if (a == GP_ATTR_INK) {
            double sum = 0.0;
            for (int i = 0; i < n; i++) sum += (im[i] + 1.0) * 0.5;
            return sum / n;
        }
        moments(im, s.h, s.w, &mass, &mu20, &mu02, &mu11);
        if (a == GP_ATTR_WIDTH) return sqrt(mu20);
        if (a == GP_ATTR_HEIGHT) return sqrt(mu02);
        /* y grows downwards: a stroke leaning right has x falling as y grows, mu11 < 0 */
        return mu02 > 1e-9 ? -mu11 / mu02 : 0.0;
    }
    if (s.c < 3) return 0.0;
    const float *r = im, *g = im + n, *b = im + 2 * n;
    double luma = 0, sat = 0, oa = 0, ob = 0;
    for (int i = 0; i < n; i++) {
        double R = (r[i] + 1.0) * 0.5, G = (g[i] + 1.0) * 0.5, B = (b[i] + 1.0) * 0.5;
        double hi = fmax(R, fmax(G, B)), lo = fmin(R, fmin(G, B));
        luma += 0.299 * R + 0.587 * G + 0.114 * B;
        sat += hi - lo;
        oa += R - 0.5 * (G + B);
        ob += 0.8660254037844386 * (G - B);
    }
    if (a == GP_ATTR_BRIGHTNESS) return luma / n;
    if (a == GP_ATTR_SATURATION) return sat / n;
    return atan2(ob, oa);
}

/* The attributes a model's images have: gray or colour. */
static int model_attributes(gp_shape s, gp_attribute *out) {
    int n = 0;
    if (s.c == 1)
        for (int a = GP_ATTR_INK; a <= GP_ATTR_HEIGHT; a++) out[n++] = (gp_attribute)a;
    else if (s.c == 3)
        for (int a = GP_ATTR_BRIGHTNESS; a <= GP_ATTR_HUE; a++) out[n++] = (gp_attribute)a;
    return n;
}

/* ---- small linear algebra ---------------------------------------------------------------------- */

/* Cholesky factor of the n x n symmetric positive definite a (in place, lower). 0 if not positive. */
static int cholesky(double *a, int n) {
    for (int j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
        if (!(d > 0.0)) return 0;
        d = sqrt(d);
        a[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / d;
        }
    }
    return 1;
}

/* Solves L L^T x = b in place (b -> x). */
static void cholesky_solve(const double *l, int n, double *b) {
    for (int i = 0; i < n; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++) s -= l[i * n + k] * b[k];
        b[i] = s / l[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = b[i];
        for (int k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
        b[i] = s / l[i * n + i];
    }
}

/* Eigen-decomposition of the k x k symmetric a by Jacobi rotations: a ends
 * diagonal (the eigenvalues), v (k x k, column j = eigenvector j). */
static void jacobi(double *a, double *v, int k) {
    for (int i = 0; i < k * k; i++) v[i] = i % (k + 1) == 0;
    for (int sweep = 0; sweep < 50; sweep++) {
        double off = 0.0;
        for (int p = 0; p < k; p++)
            for (int q = p + 1; q < k; q++) off += a[p * k + q] * a[p * k + q];
        if (off < 1e-30) return;
        for (int p = 0; p < k; p++)
            for (int q = p + 1; q < k; q++) {
                if (fabs(a[p * k + q]) < 1e-300) continue;
                double theta = (a[q * k + q] - a[p * k + p]) / (2.0 * a[p * k + q]);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                for (int r = 0; r < k; r++) { /* columns p, q */
                    double ap = a[r * k + p], aq = a[r * k + q];
                    a[r * k + p] = c * ap - s * aq, a[r * k + q] = s * ap + c * aq;
                }
                for (int r = 0; r < k; r++) { /* rows p, q */
                    double ap = a[p * k + r], aq = a[q * k + r];
                    a[p * k + r] = c * ap - s * aq, a[q * k + r] = s * ap + c * aq;
                }
                for (int r = 0; r < k; r++) {
                    double vp = v[r * k + p], vq = v[r * k + q];
                    v[r * k + p] = c * vp - s * vq, v[r * k + q] = s * vp + c * vq;
                }
            }
    }
}

/* Gram-Schmidt on the k columns of q (d x k, column-major: column j at q + j*d). */
static void orthonormalize(double *q, int d, int k) {
    for (int j = 0; j < k; j++) {
        double *qj = q + (size_t)j * d;
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < j; i++) {
                const double *qi = q + (size_t)i * d;
                double dot = 0.0;
                for (int r = 0; r < d; r++) dot += qi[r] * qj[r];
                for (int r = 0; r < d; r++) qj[r] -= dot * qi[r];
            }
        double nrm = 0.0;
        for (int r = 0; r < d; r++) nrm += qj[r] * qj[r];
        nrm = sqrt(nrm);
        for (int r = 0; r < d; r++) qj[r] = nrm > 0.0 ? qj[r] / nrm : 0.0;
    }
}

static void normalize(float *v, const double *w, int L) {
    double n = 0.0;
    for (int j = 0; j < L; j++) n += w[j] * w[j];
    n = sqrt(n);
    for (int j = 0; j < L; j++) v[j] = n > 0.0 ? (float)(w[j] / n) : 0.0f;
}

/* ---- fitting ----------------------------------------------------------------------------------- */

/* The index of G's first nonlinearity: its output is "the first hidden activations". */
static int first_hidden(const gp_net *G) {
    for (int i = 1; i < G->n_layers - 1; i++) {
        uint32_t k = G->layers[i].kind;
        if (k == GP_LAYER_RELU || k == GP_LAYER_LEAKY_RELU || k == GP_LAYER_TANH || k == GP_LAYER_SIGMOID) return i;
    }
    return 0;
}

static gp_status check_opts(const gp_gan *gan, const gp_direction_opts *o, gp_err *err) {
    if (gan->cfg.latent > MAX_LATENT)
        return gp_fail(err, GP_ERR_ARG, "directions: a latent of %d is more than %d", gan->cfg.latent, MAX_LATENT);
    if (o->fit_samples < 64 || o->fit_samples > 20000)
        return gp_fail(err, GP_ERR_ARG, "directions: fitting samples must be 64..20000, not %d", o->fit_samples);
    if (o->measure_samples < 8 || o->measure_samples > 5000)
        return gp_fail(err, GP_ERR_ARG, "directions: measuring samples must be 8..5000, not %d", o->measure_samples);
    if (o->principal < 0 || o->principal > 6)
        return gp_fail(err, GP_ERR_ARG, "directions: principal directions must be 0..6, not %d", o->principal);
    return GP_OK;
}

/* Subtracts each class's mean from the rows of x (n x d) of that class (one
 * class if C is 0); mean: d doubles of scratch. */
static void centre_within_classes(float *x, const int *labels, int n, int d, int C, double *mean) {
    int groups = C ? C : 1;
    for (int g = 0; g < groups; g++) {
        int count = 0;
        memset(mean, 0, sizeof(double) * (size_t)d);
        for (int i = 0; i < n; i++)
            if (!C || labels[i] == g) {
                count++;
                for (int r = 0; r < d; r++) mean[r] += x[(size_t)i * d + r];
            }
        if (!count) continue;
        for (int i = 0; i < n; i++)
            if (!C || labels[i] == g)
                for (int r = 0; r < d; r++) x[(size_t)i * d + r] -= (float)(mean[r] / count);
    }
}

/* Attribute directions: least squares of the within-class attribute on z. */
static gp_status fit_attributes(gp_direction_set *set, const float *z, const int *labels, const double *vals,
                                const gp_attribute *attrs, int n_attr, int N, int L, int C, gp_err *err) {
    double *zz = calloc((size_t)L * L + 2 * (size_t)L, sizeof(double)), *zb = zz + (size_t)L * L, *w = zb + L;
    double *a = malloc(sizeof(double) * (size_t)N);
    if (!zz || !a) {
        free(zz), free(a);
        return gp_fail(err, GP_ERR_NOMEM, "directions: out of memory");
    }
    for (int i = 0; i < N; i++) {
        const float *zi = z + (size_t)i * L;
        for (int p = 0; p < L; p++)
            for (int q = 0; q <= p; q++) zz[p * L + q] += (double)zi[p] * zi[q];
    }
    for (int p = 0; p < L; p++) {
        for (int q = 0; q < p; q++) zz[q * L + p] = zz[p * L + q];
        zz[p * L + p] += 1e-3 * N; /* a little ridge: z's covariance is the identity, N of them */
    }
    int ok = cholesky(zz, L);
    for (int t = 0; ok && t < n_attr; t++) {
        /* centre within classes */
        const double *v = vals + (size_t)t * N;
        int groups = C ? C : 1;
        for (int g = 0; g < groups; g++) {
            double s = 0.0;
            int c = 0;
            for (int i = 0; i < N; i++)
                if (!C || labels[i] == g) s += v[i], c++;
            for (int i = 0; i < N; i++)
                if (!C || labels[i] == g) a[i] = v[i] - (c ? s / c : 0.0);
        }
        memset(zb, 0, sizeof(double) * (size_t)L);
        double tot = 0.0;
        for (int i = 0; i < N; i++) {
            for (int p = 0; p < L; p++) zb[p] += (double)z[(size_t)i * L + p] * a[i];
            tot += a[i] * a[i];
        }
        memcpy(w, zb, sizeof(double) * (size_t)L);
        cholesky_solve(zz, L, w);
        double res = 0.0;
        for (int i = 0; i < N; i++) {
            double pred = 0.0;
            for (int p = 0; p < L; p++) pred += w[p] * z[(size_t)i * L + p];
            res += (a[i] - pred) * (a[i] - pred);
        }
        gp_direction *d = &set->d[set->n];
        *d = (gp_direction){.kind = GP_DIR_ATTRIBUTE, .attribute = attrs[t], .fit = tot > 0.0 ? 1.0 - res / tot : 0.0,
                            .read_ends = {-1.0, -1.0}, .read_at_0 = -1.0, .class_retention = -1.0};
        strcpy(d->name, gp_attribute_name(attrs[t]));
        normalize(set->v + (size_t)set->n * L, w, L);
        set->n++;
    }
    free(zz), free(a);
    return ok ? GP_OK : gp_fail(err, GP_ERR_NAN, "directions: the latents' covariance is not positive");
}

/* Principal directions: subspace iteration for the top components of the
 * centred activations h (n x d), Rayleigh-Ritz to order them, then each
 * component's coordinates regressed back onto z. */
static gp_status fit_principal(gp_direction_set *set, const float *h, const float *z, int n, int d, int L, int k,
                               gp_err *err) {
    int kk = k + 2 > n ? n : k + 2; /* two spare columns help the top k converge */
    double *q = malloc(sizeof(double) * (size_t)d * kk), *p = malloc(sizeof(double) * (size_t)n * kk);
    double *small = malloc(sizeof(double) * (size_t)kk * kk * 2 + sizeof(double) * (size_t)L), *vecs = small + kk * kk;
    double *w = vecs + kk * kk;
    if (!q || !p || !small) {
        free(q), free(p), free(small);
        return gp_fail(err, GP_ERR_NOMEM, "directions: out of memory");
    }
    gp_rng rng;
    gp_rng_seed(&rng, 0x9C4ull);
    for (size_t i = 0; i < (size_t)d * kk; i++) q[i] = gp_rng_normal(&rng);
    orthonormalize(q, d, kk);
    double total = 0.0;
    for (size_t i = 0; i < (size_t)n * d; i++) total += (double)h[i] * h[i];
    for (int it = 0; it <= PCA_ITERS; it++) {
        /* p = H q (n x kk, column-major) */
        for (int j = 0; j < kk; j++)
            for (int i = 0; i < n; i++) {
                const float *hi = h + (size_t)i * d;
                const double *qj = q + (size_t)j * d;
                double s = 0.0;
                for (int r = 0; r < d; r++) s += hi[r] * qj[r];
                p[(size_t)j * n + i] = s;
            }
        if (it == PCA_ITERS) break;
        /* q = H^T p, orthonormalized */
        memset(q, 0, sizeof(double) * (size_t)d * kk);
        for (int i = 0; i < n; i++) {
            const float *hi = h + (size_t)i * d;
            for (int j = 0; j < kk; j++) {
                double pij = p[(size_t)j * n + i];
                double *qj = q + (size_t)j * d;
                for (int r = 0; r < d; r++) qj[r] += pij * hi[r];
            }
        }
        orthonormalize(q, d, kk);
    }
    /* Rayleigh-Ritz: the kk x kk matrix p^T p, its eigenvectors order and rotate the components */
    for (int a = 0; a < kk; a++)
        for (int b = 0; b < kk; b++) {
            double s = 0.0;
            for (int i = 0; i < n; i++) s += p[(size_t)a * n + i] * p[(size_t)b * n + i];
            small[a * kk + b] = s;
        }
    jacobi(small, vecs, kk);
    int order[8];
    for (int j = 0; j < kk; j++) order[j] = j;
    for (int a = 0; a < kk; a++) /* by eigenvalue, largest first */
        for (int b = a + 1; b < kk; b++)
            if (small[order[b] * kk + order[b]] > small[order[a] * kk + order[a]]) {
                int t = order[a];
                order[a] = order[b], order[b] = t;
            }
    for (int c = 0; c < k && c < kk; c++) {
        int e = order[c];
        /* the component's coordinates x_i = p_i . vecs[:, e]; z-direction = sum_i x_i z_i / sum_i x_i^2 */
        memset(w, 0, sizeof(double) * (size_t)L);
        double xx = 0.0, lead = 0.0;
        for (int i = 0; i < n; i++) {
            double x = 0.0;
            for (int j = 0; j < kk; j++) x += p[(size_t)j * n + i] * vecs[j * kk + e];
            xx += x * x;
            for (int t = 0; t < L; t++) w[t] += x * z[(size_t)i * L + t];
        }
        for (int t = 0; t < L; t++) w[t] /= xx > 0.0 ? xx : 1.0;
        for (int t = 0; t < L; t++) /* a fixed sign: the largest entry positive */
            if (fabs(w[t]) > fabs(lead)) lead = w[t];
        if (lead < 0.0)
            for (int t = 0; t < L; t++) w[t] = -w[t];
        gp_direction *dd = &set->d[set->n];
        *dd = (gp_direction){.kind = GP_DIR_PRINCIPAL, .attribute = -1,
                             .fit = total > 0.0 ? small[e * kk + e] / total : 0.0, .read_ends = {-1.0, -1.0}, .read_at_0 = -1.0, .class_retention = -1.0};
        snprintf(dd->name, sizeof dd->name, "pc%d", c + 1);
        normalize(set->v + (size_t)set->n * L, w, L);
        set->n++;
    }
    free(q), free(p), free(small);
    return GP_OK;
}

gp_status gp_directions_fit(gp_gan *gan, const gp_direction_opts *opts, gp_direction_set *set, gp_err *err) {
    gp_direction_opts o = opts ? *opts : gp_direction_defaults();
    gp_status st = check_opts(gan, &o, err);
    if (st != GP_OK) return st;
    int N = o.fit_samples, L = gan->cfg.latent, C = gan->cfg.classes, B = gan->G.max_batch;
    gp_shape im = gp_gan_image_shape(gan);
    int n_img = gp_shape_size(im), hid = first_hidden(&gan->G);
    int d = gp_shape_size(gan->G.shape[hid + 1]);
    gp_attribute attrs[GP_ATTR_COUNT];
    int n_attr = model_attributes(im, attrs), k = hid > 0 ? o.principal : 0;
    int n_pca = N < PCA_FLOATS / d ? N : PCA_FLOATS / d;
    if (n_pca < 16) k = 0;
    float *z = malloc(sizeof(float) * (size_t)N * L), *img = malloc(sizeof(float) * (size_t)B * n_img);
    float *h = k ? malloc(sizeof(float) * (size_t)n_pca * d) : NULL;
    double *vals = malloc(sizeof(double) * (size_t)(n_attr ? n_attr : 1) * N);
    int *labels = malloc(sizeof(int) * (size_t)N);
    double *mean = k ? malloc(sizeof(double) * (size_t)d) : NULL;
    if (!z || !img || (k && (!h || !mean)) || !vals || !labels) {
        free(z), free(img), free(h), free(vals), free(labels), free(mean);
        return gp_fail(err, GP_ERR_NOMEM, "directions: out of memory for %d samples", N);
    }
    gp_gan_latents(gan, o.seed, N, z);
    gp_score_labels(labels, N, C, -1);
    for (int i = 0; i < N; i += B) {
        int b = N - i < B ? N - i : B;
        gp_gan_generate(gan, z + (size_t)i * L, C ? labels + i : NULL, b, img);
        for (int t = 0; t < n_attr; t++)
            for (int r = 0; r < b; r++) vals[(size_t)t * N + i + r] = gp_attribute_value(attrs[t], img + (size_t)r * n_img, im);
        for (int r = 0; k && r < b && i + r < n_pca; r++)
            memcpy(h + (size_t)(i + r) * d, gan->G.acts[hid + 1] + (size_t)r * d, sizeof(float) * (size_t)d);
    }
    gp_direction_set out = {.latent = L};
    st = fit_attributes(&out, z, labels, vals, attrs, n_attr, N, L, C, err);
    if (st == GP_OK && k) {
        centre_within_classes(h, labels, n_pca, d, C, mean);
        st = fit_principal(&out, h, z, n_pca, d, L, k, err);
    }
    free(z), free(img), free(h), free(vals), free(labels), free(mean);
    if (st == GP_OK) *set = out;
    return st;
}

/* ---- measuring --------------------------------------------------------------------------------- */

void gp_directions_move(const gp_direction_set *set, int k, const float *z, int count, double amount, float *out) {
    int L = set->latent;
    const float *v = set->v + (size_t)k * L;
    for (int i = 0; i < count; i++)
        for (int j = 0; j < L; j++) out[(size_t)i * L + j] = z[(size_t)i * L + j] + (float)amount * v[j];
}

/* The measure over the amounts lo..hi (indices into AMOUNTS, around the
 * unmoved middle): whether the means move strictly monotonically (an
 * attribute's one way; a principal direction's change away from 0 on both
 * sides), the share of samples that do, and with the classes read at each
 * amount (pred, M per amount; NULL without a classifier) the shares read as
 * their class at the two ends and unmoved, and of those read so unmoved the
 * share that keep it at both ends. */
static gp_direction_verdict judge(const gp_direction *d, const double *vals, const uint8_t *pred, const int *labels,
                                  int M, int C, int lo, int hi) {
    int mid = GP_DIR_AMOUNTS / 2, attr = d->kind == GP_DIR_ATTRIBUTE, up = d->at[hi] >= d->at[lo];
    gp_direction_verdict v = {.read_ends = {-1.0, -1.0}, .read_at_0 = -1.0, .class_retention = -1.0, .means = 1};
    /* the step from amount a-1 to a goes the right way */
    #define RIGHT_WAY(prev, cur, a) (attr ? (up ? (cur) > (prev) : (cur) < (prev)) : (a) <= mid ? (cur) < (prev) : (cur) > (prev))
    for (int a = lo + 1; a <= hi; a++) v.means &= RIGHT_WAY(d->at[a - 1], d->at[a], a);
    int mono = 0, read_lo = 0, read_hi = 0, right = 0, kept_lo = 0, kept_hi = 0;
    for (int i = 0; i < M; i++) {
        int ok = 1;
        for (int a = lo + 1; a <= hi; a++) ok &= RIGHT_WAY(vals[(size_t)(a - 1) * M + i], vals[(size_t)a * M + i], a);
        mono += ok;
        if (pred) {
            int want = C ? labels[i] : pred[(size_t)mid * M + i];
            int l = pred[(size_t)lo * M + i] == want, h = pred[(size_t)hi * M + i] == want;
            read_lo += l, read_hi += h;
            if (pred[(size_t)mid * M + i] == want) right++, kept_lo += l, kept_hi += h;
        }
    }
    #undef RIGHT_WAY
    v.monotonicity = (double)mono / M;
    if (pred) {
        v.read_ends[0] = (double)read_lo / M, v.read_ends[1] = (double)read_hi / M;
        v.read_at_0 = (double)right / M;
        v.class_retention = right ? (kept_lo < kept_hi ? kept_lo : kept_hi) / (double)right : 0.0;
    }
    v.pass = v.means && v.monotonicity >= GP_DIR_MIN_MONOTONICITY && (!pred || v.class_retention >= GP_DIR_MIN_RETENTION);
    return v;
}

gp_status gp_directions_measure(gp_gan *gan, gp_classifier *clf, const gp_direction_opts *opts, gp_direction_set *set,
                                gp_err *err) {
    gp_direction_opts o = opts ? *opts : gp_direction_defaults();
    gp_status st = check_opts(gan, &o, err);
    if (st != GP_OK) return st;
    int M = o.measure_samples, L = gan->cfg.latent, C = gan->cfg.classes, B = gan->G.max_batch;
    if (set->latent != L) return gp_fail(err, GP_ERR_ARG, "directions: fitted for a latent of %d, the model has %d", set->latent, L);
    gp_shape im = gp_gan_image_shape(gan);
    int n_img = gp_shape_size(im);
    if (clf && gp_shape_size(clf->net.shape[0]) != n_img)
        return gp_fail(err, GP_ERR_ARG, "directions: the model makes %dx%dx%d images; the classifier reads another size",
                       im.c, im.h, im.w);
    float *z = malloc(sizeof(float) * (size_t)M * L), *zm = malloc(sizeof(float) * (size_t)B * L);
    float *base = malloc(sizeof(float) * (size_t)M * n_img), *img = malloc(sizeof(float) * (size_t)B * n_img);
    double *vals = malloc(sizeof(double) * GP_DIR_AMOUNTS * (size_t)M);
    int *labels = malloc(sizeof(int) * (size_t)M);
    uint8_t *pred = malloc((size_t)M * GP_DIR_AMOUNTS); /* the class read at each amount */
    if (!z || !zm || !base || !img || !vals || !labels || !pred) {
        free(z), free(zm), free(base), free(img), free(vals), free(labels), free(pred);
        return gp_fail(err, GP_ERR_NOMEM, "directions: out of memory for %d samples", M);
    }
    gp_gan_latents(gan, o.seed + 1, M, z);
    gp_score_labels(labels, M, C, -1);
    gp_gan_generate(gan, z, C ? labels : NULL, M, base);
    if (clf) gp_classifier_run(clf, base, M, pred + (size_t)(GP_DIR_AMOUNTS / 2) * M, NULL);
    for (int k = 0; k < set->n; k++) {
        gp_direction *d = &set->d[k];
        for (int a = 0; a < GP_DIR_AMOUNTS; a++) {
            for (int i = 0; i < M; i += B) {
                int b = M - i < B ? M - i : B;
                const float *y = base + (size_t)i * n_img;
                if (AMOUNTS[a] != 0.0) {
                    gp_directions_move(set, k, z + (size_t)i * L, b, AMOUNTS[a], zm);
                    gp_gan_generate(gan, zm, C ? labels + i : NULL, b, img);
                    y = img;
                    if (clf) gp_classifier_run(clf, img, b, pred + (size_t)a * M + i, NULL);
                }
                for (int r = 0; r < b; r++) {
                    const float *yr = y + (size_t)r * n_img;
                    double v = 0.0;
                    if (d->kind == GP_DIR_ATTRIBUTE) {
                        v = gp_attribute_value((gp_attribute)d->attribute, yr, im);
                    } else {
                        const float *y0 = base + (size_t)(i + r) * n_img;
                        for (int p = 0; p < n_img; p++) v += fabs((double)yr[p] - y0[p]);
                        v /= n_img;
                    }
                    vals[(size_t)a * M + i + r] = v;
                }
            }
        }
        /* the means; then the verdict over -2..2, and if that fails over -1..1 */
        for (int a = 0; a < GP_DIR_AMOUNTS; a++) {
            double s = 0.0;
            for (int i = 0; i < M; i++) s += vals[(size_t)a * M + i];
            d->at[a] = s / M;
        }
        gp_direction_verdict full = judge(d, vals, clf ? pred : NULL, labels, M, C, 0, GP_DIR_AMOUNTS - 1);
        d->monotonicity = full.monotonicity;
        d->read_ends[0] = full.read_ends[0], d->read_ends[1] = full.read_ends[1];
        d->read_at_0 = full.read_at_0;
        d->class_retention = full.class_retention;
        d->means = full.means;
        d->measured = 1;
        d->range = 0;
        if (full.pass) {
            d->range = 2, d->in_range = full;
        } else {
            gp_direction_verdict near = judge(d, vals, clf ? pred : NULL, labels, M, C, 1, GP_DIR_AMOUNTS - 2);
            if (near.pass) d->range = 1, d->in_range = near;
        }
        d->offered = d->range > 0;
    }
    free(z), free(zm), free(base), free(img), free(vals), free(labels), free(pred);
    return GP_OK;
}

int gp_directions_find(const gp_direction_set *set, const char *name) {
    for (int k = 0; name && k < set->n; k++)
        if (!strcmp(set->d[k].name, name)) return k;
    return -1;
}

void gp_directions_json(const gp_direction_set *set, gp_json *j) {
    gp_json_open(j, '[');
    for (int k = 0; k < set->n; k++) {
        const gp_direction *d = &set->d[k];
        gp_json_open(j, '{');
        gp_json_kstr(j, "name", d->name);
        gp_json_kstr(j, "kind", d->kind == GP_DIR_PRINCIPAL ? "principal" : "attribute");
        gp_json_kstr(j, "measures", d->kind == GP_DIR_PRINCIPAL ? "mean |pixel change| from the unmoved image"
                                                                : gp_attribute_measure((gp_attribute)d->attribute));
        gp_json_knum(j, "fit", d->fit);
        if (d->measured) {
            gp_json_key(j, "amounts");
            gp_json_open(j, '[');
            for (int a = 0; a < GP_DIR_AMOUNTS; a++) gp_json_num(j, AMOUNTS[a]);
            gp_json_close(j, ']');
            gp_json_key(j, "at");
            gp_json_open(j, '[');
            for (int a = 0; a < GP_DIR_AMOUNTS; a++) gp_json_num(j, d->at[a]);
            gp_json_close(j, ']');
            gp_json_knum(j, "monotonicity", d->monotonicity);
            gp_json_key(j, "class_retention");
            if (d->class_retention >= 0.0) gp_json_num(j, d->class_retention);
            else gp_json_null(j);
            gp_json_key(j, "class_read_ends");
            if (d->class_retention >= 0.0) {
                gp_json_open(j, '[');
                gp_json_num(j, d->read_ends[0]);
                gp_json_num(j, d->read_ends[1]);
                gp_json_close(j, ']');
            } else {
                gp_json_null(j);
            }
            gp_json_key(j, "class_read_at_0");
            if (d->class_retention >= 0.0) gp_json_num(j, d->read_at_0);
            else gp_json_null(j);
            gp_json_kint(j, "range", d->range);
            gp_json_key(j, "in_range");
            if (d->range) {
                const gp_direction_verdict *v = &d->in_range;
                gp_json_open(j, '{');
                gp_json_knum(j, "monotonicity", v->monotonicity);
                gp_json_key(j, "class_retention");
                if (v->class_retention >= 0.0) gp_json_num(j, v->class_retention);
                else gp_json_null(j);
                gp_json_key(j, "class_read_ends");
                if (v->class_retention >= 0.0) {
                    gp_json_open(j, '[');
                    gp_json_num(j, v->read_ends[0]);
                    gp_json_num(j, v->read_ends[1]);
                    gp_json_close(j, ']');
                } else {
                    gp_json_null(j);
                }
                gp_json_close(j, '}');
            } else {
                gp_json_null(j);
            }
            gp_json_kbool(j, "offered", d->offered);
            /* why it failed over -2..2, in words (empty if it passed there) */
            gp_json_key(j, "why");
            gp_json_open(j, '[');
            char why[160];
            if (!d->means) gp_json_str(j, "its mean does not move monotonically");
            if (d->monotonicity < GP_DIR_MIN_MONOTONICITY) {
                snprintf(why, sizeof why, "only %.1f%% of samples move monotonically (%.0f%% needed)",
                         100.0 * d->monotonicity, 100.0 * GP_DIR_MIN_MONOTONICITY);
                gp_json_str(j, why);
            }
            if (d->class_retention >= 0.0 && d->class_retention < GP_DIR_MIN_RETENTION) {
                snprintf(why, sizeof why, "only %.1f%% keep their class at one end (%.0f%% needed)",
                         100.0 * d->class_retention, 100.0 * GP_DIR_MIN_RETENTION);
                gp_json_str(j, why);
            }
            gp_json_close(j, ']');
        }
        gp_json_close(j, '}');
    }
    gp_json_close(j, ']');
}

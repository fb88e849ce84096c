#define _POSIX_C_SOURCE 200809L /* fileno, fsync */
#include "data/dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t read_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

gp_status gp_dataset_from_bytes(gp_dataset *ds, const uint8_t *bytes, size_t len, gp_err *err) {
    memset(ds, 0, sizeof *ds);
    if (len < 24 || memcmp(bytes, GP_DATASET_MAGIC, 4) != 0)
        return gp_fail(err, GP_ERR_FORMAT, "not a ganplay dataset (bad magic or too short)");
    uint32_t version = read_u32(bytes + 4), count = read_u32(bytes + 8);
    uint32_t h = read_u32(bytes + 12), w = read_u32(bytes + 16), c = read_u32(bytes + 20);
    if (version != GP_DATASET_VERSION)
        return gp_fail(err, GP_ERR_FORMAT, "dataset version %u is not supported (expected %d)", version,
                       GP_DATASET_VERSION);
    if (count < 5 || count > 1000000 || h < 1 || h > 256 || w < 1 || w > 256 || c != 1)
        return gp_fail(err, GP_ERR_FORMAT, "dataset header out of range: %u images of %ux%ux%u", count,
                       h, w, c);
    size_t image = (size_t)h * w * c;
    size_t need = 24 + (size_t)count * image + count;
    if (len != need)
        return gp_fail(err, GP_ERR_FORMAT, "dataset file is %zu bytes, header implies %zu", len, need);
    ds->count = (int)count;
    ds->h = (int)h;
    ds->w = (int)w;
    ds->c = (int)c;
    ds->pixels = malloc((size_t)count * image + count);
    ds->train_index = malloc(sizeof(int32_t) * count);
    ds->test_index = malloc(sizeof(int32_t) * count);
    if (!ds->pixels || !ds->train_index || !ds->test_index) {
        gp_dataset_free(ds);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory loading %u images", count);
    }
    memcpy(ds->pixels, bytes + 24, (size_t)count * image + count);
    ds->labels = ds->pixels + (size_t)count * image;
    for (int i = 0; i < ds->count; i++) {
        if (ds->labels[i] > 9) {
            int label = ds->labels[i];
            gp_dataset_free(ds);
            return gp_fail(err, GP_ERR_FORMAT, "dataset label %d of image %d is not in 0..9", label, i);
        }
        if (gp_dataset_is_held_out(i)) ds->test_index[ds->n_test++] = i;
        else ds->train_index[ds->n_train++] = i;
    }
    return GP_OK;
}

gp_status gp_read_file(const char *path, uint8_t **data, size_t *len, size_t max_len, gp_err *err) {
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return gp_fail(err, GP_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return gp_fail(err, GP_ERR_IO, "cannot read '%s'", path);
    }
    long size = ftell(f);
    if (size < 0 || (unsigned long)size > max_len) {
        fclose(f);
        return gp_fail(err, GP_ERR_IO, "'%s' is not a regular file of at most %zu bytes", path, max_len);
    }
    rewind(f);
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf) {
        fclose(f);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory reading '%s'", path);
    }
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size) {
        free(buf);
        return gp_fail(err, GP_ERR_IO, "short read on '%s'", path);
    }
    *data = buf;
    *len = got;
    return GP_OK;
}

/* Writes to something that is not a regular file (a device such as
 * /dev/stdout or /dev/full, a pipe) in place: it cannot be replaced. */
static gp_status write_in_place(const char *path, const uint8_t *bytes, size_t len, gp_err *err) {
    FILE *f = fopen(path, "wb");
    if (!f) return gp_fail(err, GP_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    int ok = fwrite(bytes, 1, len, f) == len;
    ok = fflush(f) == 0 && ok;
    int saved_errno = errno;
    ok = fclose(f) == 0 && ok;
    if (!ok) return gp_fail(err, GP_ERR_IO, "error writing '%s': %s", path, strerror(saved_errno));
    return GP_OK;
}

gp_status gp_check_writable(const char *path, gp_err *err) {
    if (!path || !*path) return gp_fail(err, GP_ERR_IO, "no file name to write");
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return gp_fail(err, GP_ERR_IO, "cannot write '%s': it is a folder", path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return GP_OK; /* a device: written in place */
    /* a file beside it, as the atomic write will make, and away again */
    size_t n = strlen(path);
    char *probe = malloc(n + 24);
    if (!probe) return gp_fail(err, GP_ERR_NOMEM, "out of memory");
    snprintf(probe, n + 24, "%s.probe%ld", path, (long)getpid());
    FILE *f = fopen(probe, "wb");
    gp_status st_out = GP_OK;
    if (!f) st_out = gp_fail(err, GP_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    else {
        fclose(f);
        remove(probe);
    }
    free(probe);
    return st_out;
}

gp_status gp_write_file_atomic(const char *path, const uint8_t *bytes, size_t len, gp_err *err) {
    if (!path || !*path) return gp_fail(err, GP_ERR_IO, "no file name to write");
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) return gp_fail(err, GP_ERR_IO, "cannot write '%s': it is a folder", path);
        return write_in_place(path, bytes, len, err);
    }
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) return gp_fail(err, GP_ERR_NOMEM, "out of memory");
    snprintf(tmp, n + 16, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        gp_status st = gp_fail(err, GP_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        free(tmp);
        return st;
    }
    int ok = fwrite(bytes, 1, len, f) == len;
    ok = fflush(f) == 0 && ok;
    ok = fsync(fileno(f)) == 0 && ok;
    int saved_errno = errno;
    ok = fclose(f) == 0 && ok;
    if (ok && rename(tmp, path) != 0) {
        saved_errno = errno;
        ok = 0;
    }
    if (!ok) {
        remove(tmp);
        free(tmp);
        return gp_fail(err, GP_ERR_IO, "error writing '%s': %s (the old file, if any, is unchanged)", path,
                       strerror(saved_errno));
    }
    free(tmp);
    return GP_OK;
}

gp_status gp_dataset_from_rgba(gp_dataset *ds, const uint8_t *rgba, int count, int h, int w, int min_count,
                               int max_count, gp_err *err) {
    memset(ds, 0, sizeof *ds);
    if (count < min_count)
        return gp_fail(err, GP_ERR_ARG, "at least %d images are needed to train on, got %d", min_count, count < 0 ? 0 : count);
    if (count > max_count) return gp_fail(err, GP_ERR_ARG, "at most %d images, got %d", max_count, count);
    if (h < 1 || h > 256 || w < 1 || w > 256)
        return gp_fail(err, GP_ERR_ARG, "image size must be in 1..256, got %dx%d", h, w);
    if (!rgba) return gp_fail(err, GP_ERR_ARG, "no pixels given");
    size_t n = (size_t)h * w, len = 24 + (size_t)count * n + (size_t)count;
    uint8_t *file = malloc(len);
    if (!file) return gp_fail(err, GP_ERR_NOMEM, "out of memory for %d images", count);
    memcpy(file, GP_DATASET_MAGIC, 4);
    const uint32_t head[5] = {GP_DATASET_VERSION, (uint32_t)count, (uint32_t)h, (uint32_t)w, 1};
    for (int i = 0; i < 5; i++)
        for (int b = 0; b < 4; b++) file[4 + 4 * i + b] = (uint8_t)(head[i] >> (8 * b));
    for (int k = 0; k < count; k++) {
        const uint8_t *src = rgba + (size_t)k * n * 4;
        uint8_t *dst = file + 24 + (size_t)k * n;
        long border = 0, border_n = 0;
        for (size_t i = 0; i < n; i++) {
            const uint8_t *p = src + 4 * i;
            int luma = (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
            int v = (luma * p[3] + 255 * (255 - p[3]) + 127) / 255;
            dst[i] = (uint8_t)v;
            int y = (int)(i / (size_t)w), x = (int)(i % (size_t)w);
            if (y == 0 || x == 0 || y == h - 1 || x == w - 1) {
                border += v;
                border_n++;
            }
        }
        if (border > 128 * border_n) /* dark ink on a light page: invert to light on black */
            for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)(255 - dst[i]);
    }
    memset(file + 24 + (size_t)count * n, 0, (size_t)count);
    gp_status st = gp_dataset_from_bytes(ds, file, len, err);
    free(file);
    return st;
}

gp_status gp_image_from_rgba(float *out, const uint8_t *rgba, int h, int w, int out_h, int out_w, int as_mask,
                             gp_err *err) {
    if (!rgba || h < 1 || w < 1 || out_h < 1 || out_w < 1 || h > 4096 || w > 4096)
        return gp_fail(err, GP_ERR_ARG, "no image, or an image of %dx%d", w, h);
    if (h % out_h || w % out_w || h / out_h != w / out_w)
        return gp_fail(err, GP_ERR_ARG, "the image is %dx%d; it must be %dx%d or a whole multiple of that (e.g. %dx%d)", w,
                       h, out_w, out_h, out_w * 10, out_h * 10);
    int f = h / out_h;
    double border = 0.0;
    int border_n = 0;
    for (int y = 0; y < out_h; y++)
        for (int x = 0; x < out_w; x++) {
            double sum = 0.0; /* the f x f block's mean gray, composited over white */
            for (int dy = 0; dy < f; dy++)
                for (int dx = 0; dx < f; dx++) {
                    const uint8_t *p = rgba + 4 * ((size_t)(y * f + dy) * w + (size_t)(x * f + dx));
                    double luma = (77.0 * p[0] + 150.0 * p[1] + 29.0 * p[2]) / 256.0;
                    sum += (luma * p[3] + 255.0 * (255 - p[3])) / 255.0;
                }
            double v = sum / ((double)f * f);
            out[(size_t)y * out_w + x] = (float)v;
            if (y == 0 || x == 0 || y == out_h - 1 || x == out_w - 1) {
                border += v;
                border_n++;
            }
        }
    int invert = !as_mask && border > 128.0 * border_n; /* dark ink on a light page */
    for (size_t i = 0; i < (size_t)out_h * out_w; i++) {
        float v = invert ? 255.0f - out[i] : out[i];
        out[i] = as_mask ? (v > 127.5f ? 1.0f : 0.0f) : v / 127.5f - 1.0f;
    }
    return GP_OK;
}

gp_status gp_dataset_load(gp_dataset *ds, const char *path, gp_err *err) {
    uint8_t *bytes;
    size_t len;
    memset(ds, 0, sizeof *ds);
    gp_status st = gp_read_file(path, &bytes, &len, (size_t)1 << 30, err);
    if (st != GP_OK) return st;
    st = gp_dataset_from_bytes(ds, bytes, len, err);
    free(bytes);
    return st;
}

void gp_dataset_free(gp_dataset *ds) {
    free(ds->pixels);
    free(ds->train_index);
    free(ds->test_index);
    memset(ds, 0, sizeof *ds);
}

void gp_dataset_image(const gp_dataset *ds, int idx, float *out) {
    size_t n = (size_t)ds->h * ds->w * ds->c;
    const uint8_t *px = ds->pixels + (size_t)idx * n;
    for (size_t i = 0; i < n; i++) out[i] = (float)px[i] / 127.5f - 1.0f;
}

void gp_dataset_sample_batch(const gp_dataset *ds, gp_rng *rng, float *out, uint8_t *labels, int batch) {
    size_t n = (size_t)ds->h * ds->w * ds->c;
    for (int b = 0; b < batch; b++) {
        int idx = ds->train_index[gp_rng_below(rng, (uint32_t)ds->n_train)];
        gp_dataset_image(ds, idx, out + (size_t)b * n);
        if (labels) labels[b] = ds->labels[idx];
    }
}

static uint64_t gcd(uint64_t a, uint64_t b) {
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int gp_dataset_held_out_mixed(const gp_dataset *ds, int k) {
    GP_ASSERT(ds->n_test > 0 && k >= 0);
    /* k -> k * m mod n with m coprime to n is a permutation; m near n / phi
     * (the golden ratio) puts consecutive k far apart, in other class blocks */
    uint64_t n = (uint64_t)ds->n_test, m = (uint64_t)((double)n * 0.6180339887) | 1u;
    while (gcd(m, n) != 1) m++;
    return ds->test_index[(int)(((uint64_t)k * m) % n)];
}

int gp_dataset_classes(const gp_dataset *ds) {
    int top = 0;
    for (int i = 0; i < ds->count; i++)
        if (ds->labels[i] + 1 > top) top = ds->labels[i] + 1;
    return top;
}

const gp_dataset_info GP_DATASETS[GP_N_DATASETS] = {
    {"mnist", "MNIST digits", "Digit FD", "digit", 10},
    {"fashion", "Fashion-MNIST", "Clothes FD", "Fashion-MNIST", 10},
};

/* Class names of the datasets the project ships, in label order. */
static const char *const MNIST_NAMES[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
static const char *const FASHION_NAMES[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

const char *gp_dataset_class_name(const char *dataset, int label) {
    if (label < 0 || label >= 10) return NULL;
    if (!strcmp(dataset, "mnist")) return MNIST_NAMES[label];
    if (!strcmp(dataset, "fashion")) return FASHION_NAMES[label];
    return NULL;
}

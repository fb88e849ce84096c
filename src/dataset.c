#include "dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void gp_dataset_sample_batch(const gp_dataset *ds, gp_rng *rng, float *out, int batch) {
    size_t n = (size_t)ds->h * ds->w * ds->c;
    for (int b = 0; b < batch; b++) {
        int idx = ds->train_index[gp_rng_below(rng, (uint32_t)ds->n_train)];
        gp_dataset_image(ds, idx, out + (size_t)b * n);
    }
}

#define _POSIX_C_SOURCE 200809L /* fsync, openat and the like */
#define _XOPEN_SOURCE 700        /* realpath */
#include "data/dataset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/checked.h"

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
    if (count < 5 || count > 1000000 || h < 1 || h > 256 || w < 1 || w > 256 || (c != 1 && c != 3))
        return gp_fail(err, GP_ERR_FORMAT, "dataset header out of range: %u images of %ux%ux%u", count,
                       h, w, c);
    /* in this build's size_t (32 bits in wasm), without wrapping */
    size_t image, pixels, body, need;
    if (!gp_size_mul((size_t)h * w, c, &image) || !gp_size_mul(count, image, &pixels) ||
        !gp_size_add(pixels, count, &body) || !gp_size_add(body, 24, &need))
        return gp_fail(err, GP_ERR_FORMAT, "dataset header declares %u images of %ux%ux%u: more bytes than this build "
                       "can address", count, c, h, w);
    if (len != need)
        return gp_fail(err, GP_ERR_FORMAT, "dataset file is %zu bytes, header implies %zu", len, need);
    ds->count = (int)count;
    ds->h = (int)h;
    ds->w = (int)w;
    ds->c = (int)c;
    ds->pixels = malloc(body);
    ds->train_index = malloc(sizeof(int32_t) * count);
    ds->test_index = malloc(sizeof(int32_t) * count);
    if (!ds->pixels || !ds->train_index || !ds->test_index) {
        gp_dataset_free(ds);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory loading %u images", count);
    }
    memcpy(ds->pixels, bytes + 24, body);
    ds->labels = ds->pixels + pixels;
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

/* A path as a message shows it: whole, or its last part after "...", so that
 * the reason after it is never cut (gp_err holds GP_ERR_MSG bytes). */
#define SHOWN_MAX 400
static const char *shown(const char *path, char *buf) {
    size_t n = strlen(path);
    if (n <= SHOWN_MAX) return path;
    const char *tail = path + n - (SHOWN_MAX - 3);
    while ((unsigned char)*tail >= 0x80 && (unsigned char)*tail < 0xC0) tail++; /* not inside a UTF-8 character */
    snprintf(buf, SHOWN_MAX + 1, "...%s", tail);
    return buf;
}

gp_status gp_read_file(const char *path, uint8_t **data, size_t *len, size_t max_len, gp_err *err) {
    *data = NULL;
    *len = 0;
    char b[SHOWN_MAX + 1];
    FILE *f = fopen(path, "rb");
    if (!f) return gp_fail(err, GP_ERR_IO, "cannot open '%s': %s", shown(path, b), strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return gp_fail(err, GP_ERR_IO, "cannot read '%s'", shown(path, b));
    }
    long size = ftell(f);
    if (size < 0 || (unsigned long)size > max_len) {
        fclose(f);
        return gp_fail(err, GP_ERR_IO, "'%s' is not a regular file of at most %zu bytes", shown(path, b), max_len);
    }
    rewind(f);
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf) {
        fclose(f);
        return gp_fail(err, GP_ERR_NOMEM, "out of memory reading '%s'", shown(path, b));
    }
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size) {
        free(buf);
        return gp_fail(err, GP_ERR_IO, "short read on '%s'", shown(path, b));
    }
    *data = buf;
    *len = got;
    return GP_OK;
}

/* ---- writing files ---------------------------------------------------------------------------
 * A save goes to a temporary file in the target's folder, named
 * .gp-<pid>-<n>.tmp (short, so that any name the folder takes can be
 * saved), made with O_CREAT | O_EXCL | O_NOFOLLOW: whatever is already at
 * such a name (a file, a planted symbolic link) is never opened, followed or
 * truncated; the next n is tried. The temporary file takes the old file's
 * permissions before a byte is written, is flushed and synced, then renamed
 * over the target. A symbolic link at the path is followed: the file it
 * points to is replaced, in that file's folder, and the link stays. */

/* The folder of path (malloc'ed; "." for a bare name) and where its last
 * part starts. */
static char *folder_of(const char *path, const char **base) {
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (!slash) return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = 0;
    }
    return dir;
}

/* Whether name is one of our temporary names, .gp-<pid>-<n>.tmp, or one that
 * earlier versions left beside base: <base>.tmp<pid>, <base>.probe<pid>.
 * Gives the pid. */
static int temp_name_pid(const char *name, const char *base, long *pid) {
    const char *p = NULL;
    size_t nb = strlen(base);
    if (!strncmp(name, ".gp-", 4)) p = name + 4;
    else if (nb && !strncmp(name, base, nb) && !strncmp(name + nb, ".tmp", 4)) p = name + nb + 4;
    else if (nb && !strncmp(name, base, nb) && !strncmp(name + nb, ".probe", 6)) p = name + nb + 6;
    if (!p || *p < '0' || *p > '9') return 0;
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (errno || v <= 0 || v > 0x7fffffff) return 0; /* a pid_t */
    if (p == name + 4) { /* .gp-<pid>-<n>.tmp */
        if (*end != '-' || end[1] < '0' || end[1] > '9') return 0;
        strtol(end + 1, &end, 10);
        if (strcmp(end, ".tmp") != 0) return 0;
    } else if (*end) return 0;
    *pid = v;
    return 1;
}

/* Removes the temporary files in dir that a process now dead left behind (a
 * save killed part-way): only regular files of ours with exactly such a
 * name, and only the name (a symbolic link is never followed). */
static void remove_stale_temps(const char *dir, const char *base) {
    DIR *d = opendir(dir);
    if (!d) return;
    int fd = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        struct stat st;
        if (!temp_name_pid(e->d_name, base, &pid) || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours to ask */
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
            continue;
        unlinkat(fd, e->d_name, 0);
    }
    closedir(d);
}

/* Where a save to path goes: path itself, or the file a symbolic link at
 * path points to (malloc'ed into *target). GP_OK with *target NULL: path is
 * not a regular file (a device, a pipe) and is written in place. */
static gp_status save_target(const char *path, char **target, gp_err *err) {
    char b[SHOWN_MAX + 1];
    *target = NULL;
    if (!path || !*path) return gp_fail(err, GP_ERR_IO, "no file name to write");
    struct stat st, lst;
    int exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) return gp_fail(err, GP_ERR_IO, "cannot write '%s': it is a folder", shown(path, b));
    if (exists && !S_ISREG(st.st_mode)) return GP_OK;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        if (!exists)
            return gp_fail(err, GP_ERR_IO, "cannot write '%s': it is a symbolic link to a file that does not exist",
                           shown(path, b));
        *target = realpath(path, NULL);
        if (!*target) return gp_fail(err, GP_ERR_IO, "cannot write '%s': %s", shown(path, b), strerror(errno));
        return GP_OK;
    }
    size_t n = strlen(path);
    if (path[n - 1] == '/') return gp_fail(err, GP_ERR_IO, "cannot write '%s': it names a folder", shown(path, b));
    *target = strdup(path);
    if (!*target) return gp_fail(err, GP_ERR_NOMEM, "out of memory");
    return GP_OK;
}

/* Makes a new temporary file beside target, first removing stale ones:
 * its descriptor, and its name in *tmp (malloc'ed); -1 with errno set. */
static int open_temp(const char *target, char **tmp) {
    const char *base;
    char *dir = folder_of(target, &base);
    *tmp = NULL;
    if (!dir) {
        errno = ENOMEM;
        return -1;
    }
    remove_stale_temps(dir, base);
    size_t cap = strlen(dir) + 48;
    char *name = malloc(cap);
    int fd = -1;
    if (!name) errno = ENOMEM;
    for (int k = 0; name && fd < 0 && k < 1000; k++) {
        snprintf(name, cap, "%s/.gp-%ld-%d.tmp", dir, (long)getpid(), k);
        fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    free(dir);
    if (fd < 0) {
        int e = errno;
        free(name);
        errno = e;
        return -1;
    }
    *tmp = name;
    return fd;
}

static int write_all(int fd, const uint8_t *bytes, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, bytes, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (w == 0) errno = EIO;
            return -1;
        }
        bytes += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes to something that is not a regular file (a device such as
 * /dev/stdout or /dev/full, a pipe) in place: it cannot be replaced. */
static gp_status write_in_place(const char *path, const uint8_t *bytes, size_t len, gp_err *err) {
    char b[SHOWN_MAX + 1];
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return gp_fail(err, GP_ERR_IO, "cannot write '%s': %s", shown(path, b), strerror(errno));
    int ok = write_all(fd, bytes, len) == 0;
    int saved_errno = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) return gp_fail(err, GP_ERR_IO, "error writing '%s': %s", shown(path, b), strerror(saved_errno));
    return GP_OK;
}

gp_status gp_check_writable(const char *path, gp_err *err) {
    char *target, *tmp, b[SHOWN_MAX + 1];
    gp_status st = save_target(path, &target, err);
    if (st != GP_OK || !target) return st; /* a device: written in place */
    /* a file beside it, as the atomic write will make, and away again */
    int fd = open_temp(target, &tmp);
    free(target);
    if (fd < 0) return gp_fail(err, GP_ERR_IO, "cannot write '%s': %s", shown(path, b), strerror(errno));
    close(fd);
    unlink(tmp);
    free(tmp);
    return GP_OK;
}

gp_status gp_write_file_atomic(const char *path, const uint8_t *bytes, size_t len, gp_err *err) {
    char *target, *tmp, b[SHOWN_MAX + 1];
    gp_status st = save_target(path, &target, err);
    if (st != GP_OK) return st;
    if (!target) return write_in_place(path, bytes, len, err);
    struct stat old;
    int had_old = stat(target, &old) == 0 && S_ISREG(old.st_mode);
    int fd = open_temp(target, &tmp);
    if (fd < 0) {
        st = gp_fail(err, GP_ERR_IO, "cannot write '%s': %s", shown(path, b), strerror(errno));
        free(target);
        return st;
    }
    /* the old file's read, write and execute bits; set-user-ID and the like
     * are not given to the new bytes */
    int ok = !had_old || fchmod(fd, old.st_mode & 0777) == 0;
    ok = ok && write_all(fd, bytes, len) == 0;
    ok = ok && fsync(fd) == 0;
    int saved_errno = errno;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, target) != 0) {
        saved_errno = errno;
        ok = 0;
    }
    if (!ok) unlink(tmp);
    free(tmp);
    free(target);
    if (!ok)
        return gp_fail(err, GP_ERR_IO, "error writing '%s': %s (the old file, if any, is unchanged)", shown(path, b),
                       strerror(saved_errno));
    return GP_OK;
}

void gp_image_as_trained(const uint8_t *rgba, int h, int w, int channels, uint8_t *out) {
    size_t n = (size_t)h * (size_t)w;
    if (channels == 3) { /* colour: composited over white, planes R, G, B */
        for (size_t i = 0; i < n; i++) {
            const uint8_t *p = rgba + 4 * i;
            for (int k = 0; k < 3; k++) out[k * n + i] = (uint8_t)((p[k] * p[3] + 255 * (255 - p[3]) + 127) / 255);
        }
        return;
    }
    uint8_t *gray = out;
    long border = 0, border_n = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = rgba + 4 * i;
        int luma = (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
        int v = (luma * p[3] + 255 * (255 - p[3]) + 127) / 255;
        gray[i] = (uint8_t)v;
        int y = (int)(i / (size_t)w), x = (int)(i % (size_t)w);
        if (y == 0 || x == 0 || y == h - 1 || x == w - 1) {
            border += v;
            border_n++;
        }
    }
    if (border > 128 * border_n) /* dark ink on a light page: invert to light on black */
        for (size_t i = 0; i < n; i++) gray[i] = (uint8_t)(255 - gray[i]);
}

gp_status gp_dataset_from_rgba(gp_dataset *ds, const uint8_t *rgba, int count, int h, int w, int channels,
                               int min_count, int max_count, gp_err *err) {
    memset(ds, 0, sizeof *ds);
    if (count < min_count)
        return gp_fail(err, GP_ERR_ARG, "at least %d images are needed to train on, got %d", min_count, count < 0 ? 0 : count);
    if (count > max_count) return gp_fail(err, GP_ERR_ARG, "at most %d images, got %d", max_count, count);
    if (h < 1 || h > 256 || w < 1 || w > 256)
        return gp_fail(err, GP_ERR_ARG, "image size must be in 1..256, got %dx%d", h, w);
    if (channels != 1 && channels != 3) return gp_fail(err, GP_ERR_ARG, "images have 1 or 3 channels, not %d", channels);
    if (!rgba) return gp_fail(err, GP_ERR_ARG, "no pixels given");
    /* the RGBA given (count x n x 4 bytes) and the file made of it, in size_t without wrapping */
    size_t n = (size_t)h * w, rgba_len, len;
    if (!gp_size_mul((size_t)count, 4 * n, &rgba_len) || !gp_size_mul((size_t)count, channels * n + 1, &len) ||
        !gp_size_add(len, 24, &len))
        return gp_fail(err, GP_ERR_ARG, "%d images of %dx%d: more bytes than this build can address", count, h, w);
    uint8_t *file = malloc(len);
    if (!file) return gp_fail(err, GP_ERR_NOMEM, "out of memory for %d images", count);
    memcpy(file, GP_DATASET_MAGIC, 4);
    const uint32_t head[5] = {GP_DATASET_VERSION, (uint32_t)count, (uint32_t)h, (uint32_t)w, (uint32_t)channels};
    for (int i = 0; i < 5; i++)
        for (int b = 0; b < 4; b++) file[4 + 4 * i + b] = (uint8_t)(head[i] >> (8 * b));
    for (int k = 0; k < count; k++) {
        gp_image_as_trained(rgba + (size_t)k * n * 4, h, w, channels, file + 24 + (size_t)k * n * channels);
    }
    memset(file + 24 + (size_t)count * n * channels, 0, (size_t)count);
    gp_status st = gp_dataset_from_bytes(ds, file, len, err);
    free(file);
    return st;
}

gp_status gp_image_from_rgba(float *out, const uint8_t *rgba, int h, int w, int out_c, int out_h, int out_w,
                             int as_mask, gp_err *err) {
    if (!rgba || h < 1 || w < 1 || out_h < 1 || out_w < 1 || h > GP_IMAGE_MAX_SIDE || w > GP_IMAGE_MAX_SIDE)
        return gp_fail(err, GP_ERR_ARG, "no image, or an image of %dx%d", w, h);
    if (out_c != 1 && out_c != 3) return gp_fail(err, GP_ERR_ARG, "images have 1 or 3 channels, not %d", out_c);
    if (h % out_h || w % out_w || h / out_h != w / out_w)
        return gp_fail(err, GP_ERR_ARG, "the image is %dx%d; it must be %dx%d or a whole multiple of that (e.g. %dx%d)", w,
                       h, out_w, out_h, out_w * 10, out_h * 10);
    int f = h / out_h;
    size_t plane = (size_t)out_h * out_w;
    /* a mask is read as gray (then copied to every channel); a colour image keeps R, G, B */
    int colour = out_c == 3 && !as_mask;
    double border = 0.0;
    int border_n = 0;
    for (int y = 0; y < out_h; y++)
        for (int x = 0; x < out_w; x++) {
            double sum[3] = {0.0, 0.0, 0.0}; /* the f x f block's mean, composited over white */
            for (int dy = 0; dy < f; dy++)
                for (int dx = 0; dx < f; dx++) {
                    const uint8_t *p = rgba + 4 * ((size_t)(y * f + dy) * w + (size_t)(x * f + dx));
                    if (colour) {
                        for (int k = 0; k < 3; k++) sum[k] += (p[k] * (double)p[3] + 255.0 * (255 - p[3])) / 255.0;
                    } else {
                        double luma = (77.0 * p[0] + 150.0 * p[1] + 29.0 * p[2]) / 256.0;
                        sum[0] += (luma * p[3] + 255.0 * (255 - p[3])) / 255.0;
                    }
                }
            for (int k = 0; k < (colour ? 3 : 1); k++)
                out[k * plane + (size_t)y * out_w + x] = (float)(sum[k] / ((double)f * f));
            if (y == 0 || x == 0 || y == out_h - 1 || x == out_w - 1) {
                border += sum[0] / ((double)f * f);
                border_n++;
            }
        }
    /* dark ink on a light page, in gray: light strokes on black as the data */
    int invert = !as_mask && !colour && border > 128.0 * border_n;
    for (size_t i = 0; i < (colour ? 3 : 1) * plane; i++) {
        float v = invert ? 255.0f - out[i] : out[i];
        out[i] = as_mask ? (v > 127.5f ? 1.0f : 0.0f) : v / 127.5f - 1.0f;
    }
    if (as_mask) /* the same pixels count in every channel */
        for (int k = 1; k < out_c; k++) memcpy(out + k * plane, out, sizeof(float) * plane);
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
    {"mnist", "MNIST digits", "Digit FD", "digit", 10, 1, 28, 28},
    {"fashion", "Fashion-MNIST", "Clothes FD", "Fashion-MNIST", 10, 1, 28, 28},
    {"emoji", "Emoji", "Emoji FD", "emoji", 9, 3, 32, 32},
};

/* Class names of the datasets the project ships, in label order. */
static const char *const MNIST_NAMES[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
static const char *const FASHION_NAMES[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/* Emoji: the categories of emoji-datasource (without Component), short
 * enough for a model file's 15-byte names; GP_EMOJI_CATEGORIES has them whole. */
static const char *const EMOJI_NAMES[9] = {"Smileys", "People",  "Animals", "Food", "Travel",
                                           "Activities", "Objects", "Symbols", "Flags"};
const char *const GP_EMOJI_CATEGORIES[9] = {"Smileys & Emotion", "People & Body", "Animals & Nature",
                                            "Food & Drink",      "Travel & Places", "Activities",
                                            "Objects",           "Symbols",         "Flags"};

const char *gp_dataset_class_name(const char *dataset, int label) {
    if (label < 0 || label >= 10) return NULL;
    if (!strcmp(dataset, "mnist")) return MNIST_NAMES[label];
    if (!strcmp(dataset, "fashion")) return FASHION_NAMES[label];
    if (!strcmp(dataset, "emoji")) return label < 9 ? EMOJI_NAMES[label] : NULL;
    return NULL;
}

const char *gp_dataset_class_label(const char *dataset, int label) {
    if (!strcmp(dataset, "emoji")) return label >= 0 && label < 9 ? GP_EMOJI_CATEGORIES[label] : NULL;
    return gp_dataset_class_name(dataset, label);
}

gp_status gp_dataset_image_shape(const char *name, int channels, int *c, int *h, int *w, gp_err *err) {
    const gp_dataset_info *d = gp_dataset_find(name);
    if (d) {
        if (channels != 0 && channels != d->channels)
            return gp_fail(err, GP_ERR_ARG, "%s: its images have %d channel%s, not %d", d->label, d->channels,
                           d->channels == 1 ? "" : "s", channels);
        *c = d->channels;
        *h = d->height;
        *w = d->width;
        return GP_OK;
    }
    if (channels != 0 && channels != 1 && channels != 3)
        return gp_fail(err, GP_ERR_ARG, "your images are gray (1 channel) or colour (3), not %d channels", channels);
    int side = channels == 3 ? GP_OWN_COLOUR_SIDE : GP_OWN_GRAY_SIDE;
    *c = channels == 3 ? 3 : 1;
    *h = *w = side;
    return GP_OK;
}

const gp_dataset_info *gp_dataset_find(const char *name) {
    for (int i = 0; i < GP_N_DATASETS; i++)
        if (!strcmp(GP_DATASETS[i].name, name)) return &GP_DATASETS[i];
    return NULL;
}

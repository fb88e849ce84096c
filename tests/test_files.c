/* Saves (gp_write_file_atomic, gp_check_writable) in a folder others may
 * write to: a file or a symbolic link at a temporary name is never opened,
 * followed or truncated; the old file's permissions are kept; a link at
 * the path is followed and stays a link; a name as long as the folder takes
 * saves; temporaries of dead processes go, a live process's stay; a message
 * about a long path still says why. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "data/dataset.h"

static char dir[64];

static char *at(const char *name) {
    static char buf[8][600];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* the file's bytes as a string ("" if absent) */
static const char *text_of(const char *path) {
    static char buf[256];
    buf[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static long dead_pid(void) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

static const uint8_t MODEL[] = "new model bytes";

/* links planted at every temporary name a save might try: ours, and the
 * names earlier versions used (<out>.tmp<pid>, <out>.probe<pid>) */
static void test_planted_links(void) {
    gp_err err;
    char name[128];
    put(at("victim.txt"), "victim");
    long pid = (long)getpid();
    for (int k = 0; k < 5; k++) {
        snprintf(name, sizeof name, ".gp-%ld-%d.tmp", pid, k);
        CHECK(symlink("victim.txt", at(name)) == 0);
    }
    snprintf(name, sizeof name, "out.gpm.tmp%ld", pid);
    CHECK(symlink("victim.txt", at(name)) == 0);
    snprintf(name, sizeof name, "out.gpm.probe%ld", pid);
    CHECK(symlink("victim.txt", at(name)) == 0);
    CHECK(gp_check_writable(at("out.gpm"), &err) == GP_OK);
    CHECK(!strcmp(text_of(at("victim.txt")), "victim"));
    CHECK(gp_write_file_atomic(at("out.gpm"), MODEL, sizeof MODEL - 1, &err) == GP_OK);
    CHECK(!strcmp(text_of(at("victim.txt")), "victim"));
    struct stat st;
    CHECK(lstat(at("out.gpm"), &st) == 0 && S_ISREG(st.st_mode));
    CHECK(!strcmp(text_of(at("out.gpm")), (const char *)MODEL));
    for (int k = 0; k < 5; k++) { /* the planted links are left as they were */
        snprintf(name, sizeof name, ".gp-%ld-%d.tmp", pid, k);
        CHECK(lstat(at(name), &st) == 0 && S_ISLNK(st.st_mode));
        unlink(at(name));
    }
}

static void test_mode_kept(void) {
    gp_err err;
    struct stat st;
    umask(022);
    put(at("secret.gpm"), "old");
    chmod(at("secret.gpm"), 0600);
    CHECK(gp_write_file_atomic(at("secret.gpm"), MODEL, sizeof MODEL - 1, &err) == GP_OK);
    CHECK(stat(at("secret.gpm"), &st) == 0 && (st.st_mode & 07777) == 0600);
    CHECK(!strcmp(text_of(at("secret.gpm")), (const char *)MODEL));
    chmod(at("secret.gpm"), 0640);
    CHECK(gp_write_file_atomic(at("secret.gpm"), MODEL, 3, &err) == GP_OK);
    CHECK(stat(at("secret.gpm"), &st) == 0 && (st.st_mode & 07777) == 0640);
    /* set-user-ID and set-group-ID are not carried to the new bytes */
    chmod(at("secret.gpm"), 06755);
    CHECK(gp_write_file_atomic(at("secret.gpm"), MODEL, 3, &err) == GP_OK);
    CHECK(stat(at("secret.gpm"), &st) == 0 && (st.st_mode & 07777) == 0755);
    /* a new file: as the umask says */
    CHECK(gp_write_file_atomic(at("fresh.gpm"), MODEL, 3, &err) == GP_OK);
    CHECK(stat(at("fresh.gpm"), &st) == 0 && (st.st_mode & 07777) == 0644);
}

static void test_link_followed(void) {
    gp_err err;
    struct stat st;
    mkdir(at("real"), 0700);
    put(at("real/model.gpm"), "old");
    CHECK(symlink("real/model.gpm", at("link.gpm")) == 0);
    CHECK(gp_check_writable(at("link.gpm"), &err) == GP_OK);
    CHECK(gp_write_file_atomic(at("link.gpm"), MODEL, sizeof MODEL - 1, &err) == GP_OK);
    CHECK(lstat(at("link.gpm"), &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(!strcmp(text_of(at("real/model.gpm")), (const char *)MODEL));
    /* a link to nothing: refused, nothing made */
    CHECK(symlink("real/none.gpm", at("dangling.gpm")) == 0);
    CHECK(gp_write_file_atomic(at("dangling.gpm"), MODEL, 3, &err) == GP_ERR_IO && strstr(err.msg, "does not exist"));
    CHECK(gp_check_writable(at("dangling.gpm"), &err) == GP_ERR_IO && strstr(err.msg, "symbolic link"));
    CHECK(lstat(at("real/none.gpm"), &st) != 0);
}

static void test_long_names(void) {
    gp_err err;
    char name[256];
    memset(name, 'n', 255);
    name[255] = 0;
    CHECK(gp_check_writable(at(name), &err) == GP_OK);
    CHECK(gp_write_file_atomic(at(name), MODEL, sizeof MODEL - 1, &err) == GP_OK);
    CHECK(!strcmp(text_of(at(name)), (const char *)MODEL));
    CHECK(gp_write_file_atomic(at(name), MODEL, 3, &err) == GP_OK && !strcmp(text_of(at(name)), "new"));
    unlink(at(name));
    /* in a folder that does not exist: the message ends with the reason */
    char path[600];
    snprintf(path, sizeof path, "no-such-folder/%s", name);
    CHECK(gp_write_file_atomic(at(path), MODEL, 3, &err) == GP_ERR_IO && strstr(err.msg, "No such file or directory"));
    CHECK(gp_check_writable(at(path), &err) == GP_ERR_IO && strstr(err.msg, "No such file or directory"));
    CHECK(gp_write_file_atomic(at(path), MODEL, 3, &err) == GP_ERR_IO && strstr(err.msg, name + 100));
    /* a path of over 1,000 bytes: its end is shown, and the reason */
    char deep[1200];
    snprintf(deep, sizeof deep, "%s/no-such-folder/%s/%s/%s/%s", dir, name, name, name, name);
    CHECK(gp_write_file_atomic(deep, MODEL, 3, &err) == GP_ERR_IO && strstr(err.msg, "No such file or directory"));
    CHECK(strstr(err.msg, "'...") && strstr(err.msg, name));
    CHECK(gp_check_writable(deep, &err) == GP_ERR_IO && strstr(err.msg, "No such file or directory"));
    uint8_t *data;
    size_t len;
    CHECK(gp_read_file(deep, &data, &len, 100, &err) == GP_ERR_IO && strstr(err.msg, "No such file or directory"));
}

static void test_stale_temps(void) {
    gp_err err;
    char dead[128], dead_old[128], dead_probe[128], dead_link[128], live[128], other[128];
    struct stat st;
    long pid = dead_pid();
    snprintf(dead, sizeof dead, ".gp-%ld-0.tmp", pid);
    snprintf(dead_old, sizeof dead_old, "s.gpm.tmp%ld", pid);
    snprintf(dead_probe, sizeof dead_probe, "s.gpm.probe%ld", pid);
    snprintf(dead_link, sizeof dead_link, ".gp-%ld-1.tmp", pid);
    snprintf(live, sizeof live, ".gp-%ld-0.tmp", (long)getppid());
    snprintf(other, sizeof other, "s.gpm.tmp%ldx", pid); /* not exactly our pattern */
    put(at(dead), "stale");
    put(at(dead_old), "stale");
    put(at(dead_probe), "");
    put(at(live), "in use");
    put(at(other), "keep");
    put(at("victim2.txt"), "victim");
    CHECK(symlink("victim2.txt", at(dead_link)) == 0);
    CHECK(gp_write_file_atomic(at("s.gpm"), MODEL, 3, &err) == GP_OK);
    CHECK(lstat(at(dead), &st) != 0 && errno == ENOENT);
    CHECK(lstat(at(dead_old), &st) != 0 && errno == ENOENT);
    CHECK(lstat(at(dead_probe), &st) != 0 && errno == ENOENT);
    CHECK(!strcmp(text_of(at(live)), "in use"));
    CHECK(!strcmp(text_of(at(other)), "keep"));
    CHECK(lstat(at(dead_link), &st) == 0 && S_ISLNK(st.st_mode)); /* not a regular file: left alone */
    CHECK(!strcmp(text_of(at("victim2.txt")), "victim"));
}

int main(void) {
    snprintf(dir, sizeof dir, "build/test-files-XXXXXX");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "test_files: cannot make a folder under build/: %s\n", strerror(errno));
        return 1;
    }
    test_planted_links();
    test_mode_kept();
    test_link_followed();
    test_long_names();
    test_stale_temps();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "test_files: could not remove %s\n", dir);
    return check_report("files");
}

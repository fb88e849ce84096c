/* threads.c: the kernels' worker pool (see threads.h).
 * A job is published by bumping a generation counter; workers spin on it for
 * a while (back-to-back kernels in a training step are microseconds apart),
 * then sleep on a condition variable. Tasks are taken from a shared counter.
 * The sleeper count and the generation are sequentially consistent, so a
 * worker going to sleep either sees the new job or is woken for it. */
#include "base/threads.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

/* about a quarter of a millisecond of polling before a worker sleeps */
#define SPIN_ROUNDS (1 << 18)

struct gp_threads {
    int n; /* threads in all, the caller included */
    pthread_t workers[GP_MAX_THREADS];
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_int generation, quit, sleepers, busy;
    atomic_int next_task, workers_done;
    /* the current job, written before generation is bumped */
    int n_tasks;
    gp_task_fn fn;
    void *ctx;
};

static void take_tasks(gp_threads *p) {
    for (;;) {
        int t = atomic_fetch_add(&p->next_task, 1);
        if (t >= p->n_tasks) return;
        p->fn(p->ctx, t);
    }
}

static void *worker_main(void *arg) {
    gp_threads *p = arg;
    int seen = 0;
    for (;;) {
        int gen = atomic_load(&p->generation);
        for (int spin = 0; gen == seen && spin < SPIN_ROUNDS && !atomic_load(&p->quit); spin++)
            gen = atomic_load(&p->generation);
        if (gen == seen) {
            pthread_mutex_lock(&p->lock);
            atomic_fetch_add(&p->sleepers, 1);
            while ((gen = atomic_load(&p->generation)) == seen && !atomic_load(&p->quit))
                pthread_cond_wait(&p->wake, &p->lock);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->lock);
        }
        if (atomic_load(&p->quit)) return NULL;
        seen = gen;
        take_tasks(p);
        atomic_fetch_add(&p->workers_done, 1);
    }
}

gp_status gp_threads_create(gp_threads **pool, int n, gp_err *err) {
    *pool = NULL;
    if (n < 1 || n > GP_MAX_THREADS)
        return gp_fail(err, GP_ERR_ARG, "threads must be 1..%d, not %d", GP_MAX_THREADS, n);
    gp_threads *p = calloc(1, sizeof *p);
    if (!p) return gp_fail(err, GP_ERR_NOMEM, "out of memory for the thread pool");
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        return gp_fail(err, GP_ERR_NOMEM, "could not create the thread pool's lock");
    }
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        return gp_fail(err, GP_ERR_NOMEM, "could not create the thread pool's condition");
    }
    p->n = 1;
    /* a build without threads fails to start them: the pool stays smaller */
    while (p->n < n && pthread_create(&p->workers[p->n], NULL, worker_main, p) == 0) p->n++;
    *pool = p;
    return GP_OK;
}

void gp_threads_free(gp_threads *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->quit, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 1; i < p->n; i++) pthread_join(p->workers[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int gp_threads_count(const gp_threads *p) { return p ? p->n : 1; }

void gp_threads_run(gp_threads *p, int n_tasks, gp_task_fn fn, void *ctx) {
    if (n_tasks <= 0) return;
    int expected = 0;
    if (!p || p->n == 1 || n_tasks == 1 || !atomic_compare_exchange_strong(&p->busy, &expected, 1)) {
        for (int t = 0; t < n_tasks; t++) fn(ctx, t);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n_tasks;
    atomic_store(&p->next_task, 0);
    atomic_store(&p->workers_done, 0);
    atomic_fetch_add(&p->generation, 1);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    take_tasks(p);
    for (int spin = 0; atomic_load(&p->workers_done) < p->n - 1; spin++)
        if (spin > SPIN_ROUNDS) sched_yield();
    atomic_store(&p->busy, 0);
}

void gp_threads_split(int n, int parts, int part, int align, int *lo, int *hi) {
    int units = (n + align - 1) / align;
    int per = units / parts, extra = units % parts;
    int u0 = part * per + (part < extra ? part : extra);
    int u1 = u0 + per + (part < extra ? 1 : 0);
    *lo = u0 * align < n ? u0 * align : n;
    *hi = u1 * align < n ? u1 * align : n;
}

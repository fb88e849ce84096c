/* threads.h: a small fixed pool of worker threads for the kernels.
 * The caller of gp_threads_run works too, so a pool of n threads starts n-1
 * workers. Work is cut into tasks whose outputs do not overlap, and each
 * task computes its outputs exactly as the one-thread loop would: results
 * never depend on the thread count or on which thread ran a task.
 * A NULL pool, or one thread, runs every task in the caller, in order.
 * No allocation after gp_threads_create; workers spin briefly, then sleep. */
#ifndef GP_THREADS_H
#define GP_THREADS_H

#include "base/status.h"

#define GP_MAX_THREADS 8

typedef struct gp_threads gp_threads;

/* fn(ctx, task) for every task in [0, n_tasks), in any order, on any thread */
typedef void (*gp_task_fn)(void *ctx, int task);

/* A pool of n threads in all (1..GP_MAX_THREADS, the caller included).
 * Where threads cannot be started (a wasm build without pthreads), the pool
 * has as many as started; *pool is NULL and err set only on bad n or OOM. */
gp_status gp_threads_create(gp_threads **pool, int n, gp_err *err);
void gp_threads_free(gp_threads *pool);
/* Threads in the pool (1 for NULL). */
int gp_threads_count(const gp_threads *pool);
/* Runs the tasks and returns when all are done. Not reentrant: a task must
 * not call gp_threads_run on the same pool (it runs serially if it does). */
void gp_threads_run(gp_threads *pool, int n_tasks, gp_task_fn fn, void *ctx);

/* [*lo, *hi) of part `part` when n items in multiples of `align` are cut
 * into `parts` nearly equal parts (the last part takes the remainder). */
void gp_threads_split(int n, int parts, int part, int align, int *lo, int *hi);

#endif

/* clock.h: a monotonic clock in milliseconds (natively and in the browser,
 * where Emscripten reads performance.now()). */
#ifndef GP_CLOCK_H
#define GP_CLOCK_H

double gp_now_ms(void);

#endif

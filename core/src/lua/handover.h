/*
 * handover.h — a plugin state on its way from one runtime of this process
 * to another (the -j merge): its bytes (lua_serialize.h's transfer form)
 * and the counters moved out of the saving runtime whole, which the bytes
 * name by their index here. Plain C, so that the engine can hold one
 * without seeing Lua (runtime.h).
 */
#ifndef ASY_HANDOVER_H
#define ASY_HANDOVER_H

#include <stddef.h>

#include "../counter.h"
#include "../strbuf.h"

typedef struct asy_handover {
    asy_buf bytes;
    asy_counter **moved; /* moved[i]: NULL once a runtime adopted it */
    size_t nmoved, cap;
} asy_handover;
#define ASY_HANDOVER_INIT {ASY_BUF_INIT, NULL, 0, 0}

/* Free what h holds (its bytes, the counters no runtime adopted) and leave
 * it empty, ready for the next state. */
void asy_handover_clear(asy_handover *h);

#endif

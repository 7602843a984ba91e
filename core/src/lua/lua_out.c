/*
 * lua_out.c — "assay.Output": where a plugin's callback writes rows.
 * out:row(t) checks t against the output's declared columns (by name or
 * position) and packs the values into the worker's row buffer. An Output
 * is bound to one callback and fails loudly if kept and used later.
 */
#include <string.h>

#include <lauxlib.h>

#include "lua_state.h"
#include "lua_types.h"

typedef struct asy_lua_output {
    asy_lua_sink *sink;
    uint64_t call; /* the callback this view belongs to */
    const asy_lua_outputs *outs;
    int output;    /* index into outs->defs */
} Output;

/* Still bound to the running callback? */
static Output *check_call(lua_State *L, Output *o)
{
    if (!o->sink->rb || o->sink->call != o->call)
        luaL_error(L, "output '%s' used after its callback returned",
                   o->outs->defs[o->output].name);
    return o;
}

static Output *live(lua_State *L, int idx)
{
    return check_call(L, luaL_checkudata(L, idx, ASY_OUTPUT_MT));
}

/* Push "a, b, c" from n names. */
static void push_names(lua_State *L, char *const *names, int n)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; i < n; i++) {
        if (i)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, names[i]);
    }
    luaL_pushresult(&b);
}

static int find_output(const asy_lua_outputs *outs, const char *name)
{
    for (int i = 0; i < outs->n; i++)
        if (strcmp(outs->defs[i].name, name) == 0)
            return i;
    return -1;
}

static int output_error(lua_State *L, const asy_lua_outputs *outs,
                        const char *name)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; i < outs->n; i++) {
        if (i)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, outs->defs[i].name);
    }
    luaL_pushresult(&b);
    return luaL_error(L, "plugin '%s' has no output '%s' (outputs: %s)",
                      outs->plugin, name, lua_tostring(L, -1));
}

/* ---- rows ------------------------------------------------------------- */

static int find_column(const asy_output_def *def, const char *name)
{
    for (int i = 0; i < def->ncols; i++)
        if (strcmp(def->columns[i], name) == 0)
            return i;
    return -1;
}

/* Column of key (at stack top - 1 during lua_next), or an argument error. */
static int key_column(lua_State *L, int arg, const asy_output_def *def)
{
    if (lua_type(L, -2) == LUA_TSTRING) {
        int c = find_column(def, lua_tostring(L, -2));
        if (c >= 0)
            return c;
        push_names(L, def->columns, def->ncols);
        return luaL_argerror(L, arg, lua_pushfstring(L,
            "unknown column '%s' for output '%s' (columns: %s)",
            lua_tostring(L, -3), def->name, lua_tostring(L, -1)));
    }
    if (lua_isinteger(L, -2)) {
        lua_Integer i = lua_tointeger(L, -2);
        if (i >= 1 && i <= def->ncols)
            return (int)i - 1;
        return luaL_argerror(L, arg, lua_pushfstring(L,
            "position %I is beyond the %d columns of output '%s'", i,
            def->ncols, def->name));
    }
    return luaL_argerror(L, arg, lua_pushfstring(L,
        "row keys must be column names or positions, got a %s key",
        luaL_typename(L, -2)));
}

/* Convert the value at the top of the stack (kept there, so a string stays
 * alive until the row is packed). */
static void to_value(lua_State *L, int arg, const asy_output_def *def,
                     int col, assay_value *v)
{
    memset(v, 0, sizeof *v);
    switch (lua_type(L, -1)) {
    case LUA_TNIL: v->type = ASSAY_NIL; break;
    case LUA_TBOOLEAN:
        v->type = ASSAY_BOOLEAN;
        v->i = lua_toboolean(L, -1);
        break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, -1)) {
            v->type = ASSAY_INTEGER;
            v->i = (int64_t)lua_tointeger(L, -1);
        } else {
            v->type = ASSAY_NUMBER;
            v->d = (double)lua_tonumber(L, -1);
        }
        break;
    case LUA_TSTRING:
        v->type = ASSAY_STRING;
        v->s = lua_tolstring(L, -1, &v->len);
        break;
    default:
        luaL_argerror(L, arg, lua_pushfstring(L,
            "column '%s' of output '%s' cannot hold a %s value",
            def->columns[col], def->name, luaL_typename(L, -1)));
    }
}

/* The row buffer's growth since it held cap bytes, charged to s's memory
 * cap (rows wait in C memory until the engine delivers them; the runtime
 * releases the charge when the callback returns): 0, or -1 when the cap
 * is now exceeded. Raises nothing, calls no Lua API. */
static int charge_grown(asy_lstate *s, Output *o, size_t cap)
{
    size_t grown = o->sink->rb->buf.cap - cap;
    if (!grown)
        return 0;
    o->sink->charged += grown;
    return asy_lstate_charge_to(s, (long long)grown);
}

/* charge_grown, raising when the cap is exceeded. */
static void charge_growth(lua_State *L, Output *o, size_t cap)
{
    if (charge_grown(asy_lstate_get(L), o, cap) < 0)
        luaL_error(L, "not enough memory");
}

/* Append vals[0..n) as a row of output `out`, its growth charged. */
static void pack_row(lua_State *L, Output *o, int out, const assay_value *vals,
                     int n)
{
    size_t cap = o->sink->rb->buf.cap;
    if (asy_rowbuf_add(o->sink->rb, out, vals, n) < 0)
        luaL_error(L, "not enough memory");
    charge_growth(L, o, cap);
}

/* Pack the table at arg into a row of output o. Values are moved into a
 * scratch table indexed by column so that their strings stay alive. */
static void write_row(lua_State *L, Output *o, int out, int arg)
{
    const asy_output_def *def = &o->outs->defs[out];
    luaL_checktype(L, arg, LUA_TTABLE);
    lua_createtable(L, def->ncols, 0); /* cells */
    int cells = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, arg)) { /* cells key value */
        int c = key_column(L, arg, def);
        lua_rawseti(L, cells, c + 1);
    }
    assay_value *vals = lua_newuserdatauv(L, (size_t)(def->ncols ? def->ncols : 1)
                                                 * sizeof *vals, 0);
    luaL_checkstack(L, def->ncols + 4, "too many columns");
    for (int c = 0; c < def->ncols; c++) {
        lua_rawgeti(L, cells, c + 1);
        to_value(L, arg, def, c, &vals[c]);
    }
    pack_row(L, o, out, vals, def->ncols);
    lua_settop(L, cells - 1);
}

const asy_output_def *asy_lua_out_def(lua_State *L, int idx)
{
    Output *o = live(L, idx);
    return &o->outs->defs[o->output];
}

asy_lua_output *asy_lua_out_check(lua_State *L, int idx)
{
    return live(L, idx);
}

void asy_lua_out_emit_to(lua_State *L, asy_lua_output *o,
                         const assay_value *vals, int n)
{
    const asy_output_def *def = &check_call(L, o)->outs->defs[o->output];
    if (n != def->ncols)
        luaL_error(L, "output '%s' has %d columns, not %d", def->name,
                   def->ncols, n);
    pack_row(L, o, o->output, vals, n);
}

/* How the rows of the Output o go to their file (rowbuf.h; the format
 * may be called from several threads at once, each with its own buffer):
 * 1 and *f filled, or 0 when they go to a row callback and must be
 * emitted one by one. */
static int out_formatter(lua_State *L, asy_lua_output *o, asy_rowfmt *f)
{
    const asy_rowbuf *rb = check_call(L, o)->sink->rb;
    if (!rb->format)
        return 0;
    *f = (asy_rowfmt){rb->format, rb->format_ud, o->output};
    return 1;
}

void asy_lua_out_emit(lua_State *L, int idx, const assay_value *vals, int n)
{
    asy_lua_out_emit_to(L, live(L, idx), vals, n);
}

/* out:row(t) or out:row("name", t) */
static int out_row(lua_State *L)
{
    Output *o = live(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *name = lua_tostring(L, 2);
        int k = find_output(o->outs, name);
        if (k < 0)
            return output_error(L, o->outs, name);
        write_row(L, o, k, 3);
    } else
        write_row(L, o, o->output, 2);
    return 0;
}

/* out.name: a method, or an Output bound to the named output. */
static int out_index(lua_State *L)
{
    Output *o = live(L, 1);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
        return 1;
    const char *name = luaL_checkstring(L, 2);
    int k = find_output(o->outs, name);
    if (k < 0)
        return output_error(L, o->outs, name);
    asy_lua_out_push(L, o->sink, o->outs, k);
    ((Output *)lua_touserdata(L, -1))->call = o->call;
    return 1;
}

static int out_tostring(lua_State *L)
{
    Output *o = luaL_checkudata(L, 1, ASY_OUTPUT_MT);
    lua_pushfstring(L, "Output(%s)", o->outs->defs[o->output].name);
    return 1;
}

static int out_newindex(lua_State *L)
{
    return luaL_error(L, "an output is read-only; write rows with out:row{...}");
}

void asy_lua_out_push(lua_State *L, asy_lua_sink *sink,
                      const asy_lua_outputs *outs, int output)
{
    Output *o = lua_newuserdatauv(L, sizeof *o, 0);
    o->sink = sink;
    o->call = sink->call;
    o->outs = outs;
    o->output = output;
    luaL_setmetatable(L, ASY_OUTPUT_MT);
}

#define ROWS_CHUNK 8192 /* rows formatted at a time, a thread: a huge
                           table's text is never held whole */

/* Formatted rows on their way to an output (asy_rows_emit). */
typedef struct emitting {
    asy_lstate *s;
    Output *o;
    size_t charged; /* the formatting buffers' bytes charged to the cap */
} emitting;

/* Add a chunk of formatted rows to the output's rows, charging the memory
 * cap for the formatting buffers and for what the rows grew by. Raises
 * nothing and calls no Lua API: it runs on whichever thread hands the
 * chunk on, while the caller waits in asy_rows_format. */
static int emit_chunk(void *ud, const char *text, size_t len, size_t rows,
                      size_t held)
{
    emitting *m = ud;
    asy_lua_sink *sink = m->o->sink;
    long long delta = (long long)held - (long long)m->charged;
    m->charged = held;
    if (asy_lstate_charge_to(m->s, delta) < 0)
        return -1;
    size_t cap = sink->rb->buf.cap;
    if (asy_rowbuf_add_block(sink->rb, m->o->output, text, len, rows) < 0)
        return -1;
    return charge_grown(m->s, m->o, cap);
}

/* (lua_types.h) To a file, formatted on the run's threads, a chunk at a
 * time, each chunk added to the rows while the next ones are formatted
 * (row by row, on one thread: 216,165 rows took 30-35 ms; in rounds of
 * 65,536, the threads waiting while each round was added: 5.9 ms at
 * -j 2). */
void asy_lua_out_rows(lua_State *L, asy_lua_output *o, const asy_rowsrc *src,
                      size_t from, size_t n)
{
    asy_rowfmt fmt;
    if (!out_formatter(L, o, &fmt)) { /* to a row callback */
        assay_value v[ASY_ROWSRC_MAX];
        char key[16];
        memset(v, 0, sizeof v);
        for (size_t i = from; i < from + n; i++) {
            src->fill(src->ud, i, v, key);
            asy_lua_out_emit_to(L, o, v, src->ncols);
        }
        return;
    }
    emitting m = {asy_lstate_get(L), check_call(L, o), 0};
    int rc = asy_rows_format(src, from, n, &fmt, m.s->threads, ROWS_CHUNK,
                             emit_chunk, &m);
    asy_lstate_charge(L, -(long long)m.charged); /* the buffers are freed */
    if (rc < 0)
        luaL_error(L, "not enough memory");
}

void asy_lua_out_open(lua_State *L)
{
    static const luaL_Reg methods[] = {{"row", out_row}, {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__tostring", out_tostring},
                                    {"__newindex", out_newindex},
                                    {NULL, NULL}};
    asy_lua_newclass(L, ASY_OUTPUT_MT, NULL, meta);
    luaL_newlib(L, methods);
    lua_pushcclosure(L, out_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

/*
 * lua_serialize.c — ctx.state <-> bytes (format in lua_serialize.h). Both
 * directions run inside lua_pcall: the saver raises on values it cannot
 * write, the loader on malformed input, and the caller gets a message.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_serialize.h"
#include "lua_types.h"

#define MAGIC "ASYS\x01"
#define MAGIC_LEN 5

/* ===== saving ========================================================== */

typedef struct saver {
    asy_buf *out;
    const char *root;
    int depth;
    int keys[ASY_STATE_MAX_DEPTH + 1]; /* stack index of each level's key */
    int visiting;                      /* stack index: tables in progress */
    asy_handover *h; /* asy_lua_state_save_transfer: counters moved here */
    int moved;       /* stack index: Counter userdata -> index in h */
} saver;

static void put(lua_State *L, saver *s, const void *p, size_t n)
{
    if (asy_buf_append(s->out, p, n) < 0)
        luaL_error(L, "not enough memory");
}

static void put_u64(lua_State *L, saver *s, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put(L, s, b, 8);
}

static void put_tag(lua_State *L, saver *s, char tag)
{
    put(L, s, &tag, 1);
}

static int is_ident(const char *k, size_t n)
{
    if (n == 0 || n > 64 || (k[0] >= '0' && k[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z')))
            return 0;
    }
    return 1;
}

/* Raise "PATH: what" where PATH is root plus the keys down to here. */
static int path_error(lua_State *L, saver *s, const char *what)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, s->root);
    for (int i = 0; i < s->depth; i++) {
        int k = s->keys[i];
        size_t n;
        if (lua_type(L, k) == LUA_TSTRING) {
            const char *str = lua_tolstring(L, k, &n);
            if (is_ident(str, n)) {
                luaL_addchar(&b, '.');
                luaL_addlstring(&b, str, n);
            } else {
                lua_pushfstring(L, "[\"%s\"]", n > 40 ? "..." : str);
                luaL_addvalue(&b);
            }
        } else {
            lua_pushfstring(L, "[%s]", luaL_tolstring(L, k, NULL));
            lua_remove(L, -2);
            luaL_addvalue(&b);
        }
    }
    luaL_addstring(&b, ": ");
    luaL_addstring(&b, what);
    luaL_pushresult(&b);
    return lua_error(L);
}

/* A table key in sortable form. */
typedef struct skey {
    int kind; /* 0 false, 1 true, 2 integer, 3 float, 4 string */
    lua_Integer i;
    double d;
    const char *s;
    size_t len;
    lua_Integer pos; /* index in the keys array */
} skey;

static int cmp_key(const void *pa, const void *pb)
{
    const skey *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->kind == 2)
        return (a->i > b->i) - (a->i < b->i);
    if (a->kind == 3)
        return (a->d > b->d) - (a->d < b->d);
    if (a->kind == 4) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, n);
        return c ? c : (a->len > b->len) - (a->len < b->len);
    }
    return 0;
}

static void save_value(lua_State *L, saver *s, int idx);

static void save_scalar(lua_State *L, saver *s, int idx)
{
    size_t n;
    switch (lua_type(L, idx)) {
    case LUA_TNIL: put_tag(L, s, 'n'); break;
    case LUA_TBOOLEAN: put_tag(L, s, lua_toboolean(L, idx) ? 't' : 'f'); break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            put_tag(L, s, 'i');
            put_u64(L, s, (uint64_t)lua_tointeger(L, idx));
        } else {
            double d = (double)lua_tonumber(L, idx);
            uint64_t bits;
            memcpy(&bits, &d, 8);
            put_tag(L, s, 'd');
            put_u64(L, s, bits);
        }
        break;
    case LUA_TSTRING: {
        const char *p = lua_tolstring(L, idx, &n);
        put_tag(L, s, 's');
        put_u64(L, s, n);
        put(L, s, p, n);
        break;
    }
    default: break;
    }
}

/* Collect and sort the keys of the table at t. Pushes the keys array and
 * the sort buffer; returns the buffer and the count. */
static skey *sorted_keys(lua_State *L, saver *s, int t, lua_Integer *count)
{
    lua_Integer n = 0;
    lua_newtable(L); /* K */
    int keys = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++n);
    }
    skey *k = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *k, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, keys, i + 1);
        skey *e = &k[i];
        memset(e, 0, sizeof *e);
        e->pos = i + 1;
        switch (lua_type(L, -1)) {
        case LUA_TBOOLEAN: e->kind = lua_toboolean(L, -1); break;
        case LUA_TNUMBER:
            e->kind = lua_isinteger(L, -1) ? 2 : 3;
            e->i = lua_tointeger(L, -1);
            e->d = (double)lua_tonumber(L, -1);
            break;
        case LUA_TSTRING:
            e->kind = 4;
            e->s = lua_tolstring(L, -1, &e->len); /* kept alive by K */
            break;
        default: /* the path stops at the table: the key has no name */
            path_error(L, s, lua_pushfstring(L, "cannot save a table key of "
                                             "type %s", luaL_typename(L, -1)));
        }
        lua_pop(L, 1);
    }
    qsort(k, (size_t)n, sizeof *k, cmp_key);
    *count = n;
    return k;
}

static void save_table(lua_State *L, saver *s, int t)
{
    if (s->depth >= ASY_STATE_MAX_DEPTH)
        path_error(L, s, "tables nested deeper than 200 levels");
    lua_pushvalue(L, t);
    if (lua_rawget(L, s->visiting) != LUA_TNIL)
        path_error(L, s, "cannot save a cycle (a table that contains itself)");
    lua_pop(L, 1);
    lua_pushvalue(L, t);
    lua_pushboolean(L, 1);
    lua_rawset(L, s->visiting);
    luaL_checkstack(L, 8, "state too deep");
    lua_Integer n;
    skey *k = sorted_keys(L, s, t, &n); /* K buf */
    int keys = lua_gettop(L) - 1;
    put_tag(L, s, 'T');
    put_u64(L, s, (uint64_t)n);
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, keys, k[i].pos); /* K buf key */
        save_scalar(L, s, -1);
        s->keys[s->depth++] = lua_gettop(L);
        lua_pushvalue(L, -1);
        lua_rawget(L, t); /* K buf key value */
        save_value(L, s, lua_gettop(L));
        s->depth--;
        lua_pop(L, 2);
    }
    lua_pop(L, 2);
    lua_pushvalue(L, t);
    lua_pushnil(L);
    lua_rawset(L, s->visiting);
}

/* 'C' and c's canonical bytes (an empty counter's when c is NULL). */
static void save_canonical(lua_State *L, saver *s, const asy_counter *c)
{
    asy_counter *none = c ? NULL : asy_counter_new();
    asy_buf tmp = ASY_BUF_INIT;
    if ((!c && !none) || asy_counter_save(c ? c : none, &tmp) < 0) {
        asy_counter_free(none);
        asy_buf_free(&tmp);
        luaL_error(L, "not enough memory");
    }
    asy_counter_free(none);
    put_tag(L, s, 'C');
    put_u64(L, s, tmp.len);
    int rc = asy_buf_append(s->out, tmp.data ? tmp.data : "", tmp.len);
    asy_buf_free(&tmp);
    if (rc < 0)
        luaL_error(L, "not enough memory");
}

/* The transfer form: move the Counter at idx into s->h, whole, and write
 * its index there ('M'); a Counter met again (shared) gets the same one.
 * The slot is made first, so that running out of memory leaves the
 * counter where it was. */
static void move_counter(lua_State *L, saver *s, int idx)
{
    asy_handover *h = s->h;
    lua_pushvalue(L, idx);
    if (lua_rawget(L, s->moved) == LUA_TNUMBER) {
        put_tag(L, s, 'M');
        put_u64(L, s, (uint64_t)lua_tointeger(L, -1));
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    if (!asy_lua_counter_test(L, idx)) {
        /* handed over already with another plugin's state (plugins share
         * a counter only under --trust): it goes once, with the first */
        save_canonical(L, s, NULL);
        return;
    }
    if (h->nmoved == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 8;
        asy_counter **m = realloc(h->moved, cap * sizeof *m);
        if (!m)
            luaL_error(L, "not enough memory");
        h->moved = m;
        h->cap = cap;
    }
    lua_pushvalue(L, idx);
    lua_pushinteger(L, (lua_Integer)h->nmoved);
    lua_rawset(L, s->moved);
    put_tag(L, s, 'M');
    put_u64(L, s, (uint64_t)h->nmoved);
    h->moved[h->nmoved++] = asy_lua_counter_take(L, idx);
}

static void save_counter(lua_State *L, saver *s, int idx)
{
    if (s->h) {
        move_counter(L, s, idx);
        return;
    }
    const asy_counter *c = asy_lua_counter_test(L, idx);
    if (!c)
        path_error(L, s, "cannot save a freed counter");
    save_canonical(L, s, c);
}

static void save_value(lua_State *L, saver *s, int idx)
{
    switch (lua_type(L, idx)) {
    case LUA_TTABLE: save_table(L, s, idx); return;
    case LUA_TUSERDATA: {
        if (asy_lua_counter_is(L, idx)) {
            save_counter(L, s, idx);
            return;
        }
        path_error(L, s, lua_pushfstring(L, "cannot save a %s (only "
                   "assay.Counter userdata can be kept in state)",
                   luaL_typename(L, idx)));
        return;
    }
    case LUA_TFUNCTION: case LUA_TTHREAD: case LUA_TLIGHTUSERDATA:
        path_error(L, s, lua_pushfstring(L, "cannot save a %s",
                                         luaL_typename(L, idx)));
        return;
    default: save_scalar(L, s, idx);
    }
}

/* Protected body: buf, root (a C string), value, handover (or nil) */
static int save_main(lua_State *L)
{
    saver s;
    memset(&s, 0, sizeof s);
    s.out = lua_touserdata(L, 1);
    s.root = lua_touserdata(L, 2);
    s.h = lua_touserdata(L, 4);
    lua_settop(L, 3);
    lua_newtable(L);
    s.visiting = lua_gettop(L);
    lua_newtable(L);
    s.moved = lua_gettop(L);
    put(L, &s, MAGIC, MAGIC_LEN);
    save_value(L, &s, 3);
    return 0;
}

static int run(lua_State *L, int nargs, int nres, char *msg, size_t size)
{
    if (lua_pcall(L, nargs, nres, 0) == LUA_OK)
        return 0;
    const char *m = lua_tostring(L, -1);
    snprintf(msg, size, "%s", m ? m : "not enough memory");
    lua_pop(L, 1);
    return -1;
}

static int save_with(lua_State *L, int idx, const char *root, asy_buf *out,
                     char *msg, size_t msgsize, asy_handover *h)
{
    idx = lua_absindex(L, idx);
    size_t len0 = out->len;
    lua_pushcfunction(L, save_main);
    lua_pushlightuserdata(L, out);
    /* a C string, not a Lua one: nothing here may allocate (unprotected) */
    lua_pushlightuserdata(L, (void *)(root ? root : "state"));
    lua_pushvalue(L, idx);
    if (h)
        lua_pushlightuserdata(L, h);
    else
        lua_pushnil(L);
    if (run(L, 4, 0, msg, msgsize) == 0)
        return 0;
    out->len = len0; /* drop the partial encoding */
    if (out->data)
        out->data[len0] = '\0';
    return -1;
}

int asy_lua_state_save(lua_State *L, int idx, const char *root, asy_buf *out,
                       char *msg, size_t msgsize)
{
    return save_with(L, idx, root, out, msg, msgsize, NULL);
}

int asy_lua_state_save_transfer(lua_State *L, int idx, const char *root,
                                asy_handover *h, char *msg, size_t msgsize)
{
    return save_with(L, idx, root, &h->bytes, msg, msgsize, h);
}

void asy_handover_clear(asy_handover *h)
{
    for (size_t i = 0; i < h->nmoved; i++)
        asy_counter_free(h->moved[i]);
    free(h->moved);
    asy_buf_free(&h->bytes);
    *h = (asy_handover)ASY_HANDOVER_INIT;
}

/* ===== loading ========================================================= */

typedef struct reader {
    const unsigned char *p, *start, *end;
    int depth;
    asy_handover *h; /* the transfer form: where 'M' counters are */
    int adopted;     /* stack index: index in h -> Counter adopted */
} reader;

static void need(lua_State *L, reader *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        luaL_error(L, "malformed state: truncated at byte %I",
                   (lua_Integer)(r->p - r->start));
}

static uint64_t get_u64(lua_State *L, reader *r)
{
    need(L, r, 8);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    return v;
}

/* A length that must fit in what is left. */
static size_t get_len(lua_State *L, reader *r)
{
    uint64_t n = get_u64(L, r);
    if (n > (uint64_t)(r->end - r->p))
        luaL_error(L, "malformed state: length %I beyond the end at byte %I",
                   (lua_Integer)(n > LUA_MAXINTEGER ? LUA_MAXINTEGER : n),
                   (lua_Integer)(r->p - r->start));
    return (size_t)n;
}

static void load_value(lua_State *L, reader *r);

static void load_table(lua_State *L, reader *r)
{
    uint64_t n = get_u64(L, r);
    /* every pair takes at least two bytes: reject absurd counts early */
    if (n > (uint64_t)(r->end - r->p) / 2)
        luaL_error(L, "malformed state: table of %I entries at byte %I",
                   (lua_Integer)(n > LUA_MAXINTEGER ? LUA_MAXINTEGER : n),
                   (lua_Integer)(r->p - r->start));
    if (++r->depth > ASY_STATE_MAX_DEPTH)
        luaL_error(L, "malformed state: nested deeper than 200 levels");
    luaL_checkstack(L, 4, "state too deep");
    lua_createtable(L, 0, n < 1024 ? (int)n : 1024);
    for (uint64_t i = 0; i < n; i++) {
        size_t at = (size_t)(r->p - r->start);
        load_value(L, r); /* T key */
        int kt = lua_type(L, -1);
        if (kt == LUA_TNIL || kt == LUA_TTABLE || kt == LUA_TUSERDATA ||
            (kt == LUA_TNUMBER && isnan((double)lua_tonumber(L, -1))))
            luaL_error(L, "malformed state: invalid table key at byte %I",
                       (lua_Integer)at);
        load_value(L, r); /* T key value */
        lua_rawset(L, -3);
    }
    r->depth--;
}

static void load_counter(lua_State *L, reader *r)
{
    size_t n = get_len(L, r);
    asy_lua_counter_new(L);
    asy_counter *c = asy_lua_counter_test(L, -1);
    long used = asy_counter_load(c, (const char *)r->p, n);
    if (used < 0 || (size_t)used != n)
        luaL_error(L, "malformed state: bad counter at byte %I",
                   (lua_Integer)(r->p - r->start));
    r->p += n;
    asy_lua_counter_charge(L, -1);
}

/* 'M': the counter moved to r->h at this index, adopted by a new Counter
 * the first time the bytes name it. */
static void load_moved(lua_State *L, reader *r)
{
    size_t at = (size_t)(r->p - 1 - r->start);
    uint64_t i = get_u64(L, r);
    if (!r->h || i >= r->h->nmoved)
        luaL_error(L, "malformed state: no counter handed over for byte %I",
                   (lua_Integer)at);
    if (lua_rawgeti(L, r->adopted, (lua_Integer)i) != LUA_TNIL)
        return; /* named before: the same Counter */
    lua_pop(L, 1);
    if (!r->h->moved[i])
        luaL_error(L, "malformed state: counter %I adopted already (byte %I)",
                   (lua_Integer)i, (lua_Integer)at);
    /* recorded before it holds the counter, so that give_back finds it
     * however the adoption ends */
    asy_lua_counter_push_empty(L);
    lua_pushvalue(L, -1);
    lua_rawseti(L, r->adopted, (lua_Integer)i);
    asy_lua_counter_adopt(L, -1, &r->h->moved[i]);
}

static void load_value(lua_State *L, reader *r)
{
    need(L, r, 1);
    int tag = *r->p++;
    switch (tag) {
    case 'n': lua_pushnil(L); break;
    case 'f': lua_pushboolean(L, 0); break;
    case 't': lua_pushboolean(L, 1); break;
    case 'i': lua_pushinteger(L, (lua_Integer)get_u64(L, r)); break;
    case 'd': {
        uint64_t bits = get_u64(L, r);
        double d;
        memcpy(&d, &bits, 8);
        lua_pushnumber(L, (lua_Number)d);
        break;
    }
    case 's': {
        size_t n = get_len(L, r);
        lua_pushlstring(L, (const char *)r->p, n);
        r->p += n;
        break;
    }
    case 'T': load_table(L, r); break;
    case 'C': load_counter(L, r); break;
    case 'M': load_moved(L, r); break;
    default:
        luaL_error(L, "malformed state: unknown tag %d at byte %I", tag,
                   (lua_Integer)(r->p - 1 - r->start));
    }
}

/* Protected body: data, len, handover (or nil) -> value */
static int load_main(lua_State *L)
{
    reader r;
    r.start = r.p = lua_touserdata(L, 1);
    r.end = r.start + (size_t)lua_tointeger(L, 2);
    r.depth = 0;
    r.h = lua_touserdata(L, 3);
    lua_settop(L, 2);
    lua_createtable(L, r.h && r.h->nmoved < 1024 ? (int)r.h->nmoved : 0, 0);
    r.adopted = lua_gettop(L);
    if (r.h) { /* for give_back, should the load fail */
        lua_pushvalue(L, r.adopted);
        lua_rawsetp(L, LUA_REGISTRYINDEX, r.h);
    }
    if ((size_t)(r.end - r.p) < MAGIC_LEN || memcmp(r.p, MAGIC, MAGIC_LEN) != 0)
        return luaL_error(L, "malformed state: not an assay state (bad header)");
    r.p += MAGIC_LEN;
    load_value(L, &r);
    if (r.p != r.end)
        return luaL_error(L, "malformed state: %I trailing bytes",
                          (lua_Integer)(r.end - r.p));
    return 1;
}

int asy_lua_state_load(lua_State *L, const char *data, size_t len, char *msg,
                       size_t msgsize)
{
    lua_pushcfunction(L, load_main);
    lua_pushlightuserdata(L, (void *)(data ? data : ""));
    lua_pushinteger(L, (lua_Integer)len);
    lua_pushnil(L);
    return run(L, 3, 1, msg, msgsize);
}

/* After a failed load: the counters it adopted go back to h, so that a
 * failed load takes nothing (their Counters, now empty, are garbage).
 * Allocates nothing: it runs unprotected. */
static void give_back(lua_State *L, asy_handover *h)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, h) == LUA_TTABLE) {
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_Integer i = lua_tointeger(L, -2);
            if (i >= 0 && (size_t)i < h->nmoved && !h->moved[i])
                h->moved[i] = asy_lua_counter_take(L, -1);
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

int asy_lua_state_load_transfer(lua_State *L, asy_handover *h, char *msg,
                                size_t msgsize)
{
    lua_pushcfunction(L, load_main);
    lua_pushlightuserdata(L, (void *)(h->bytes.data ? h->bytes.data : ""));
    lua_pushinteger(L, (lua_Integer)h->bytes.len);
    lua_pushlightuserdata(L, h);
    int rc = run(L, 3, 1, msg, msgsize);
    if (rc < 0)
        give_back(L, h);
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, h); /* a nil: no allocation */
    return rc;
}

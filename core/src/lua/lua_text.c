/*
 * lua_text.c — what doc:words(), doc:sentences() and counter:add_words()
 * share: parsing the word options, and the text resources they need
 * (abbreviation lists, stop-word sets, stemmers, normalisation scratch
 * space), each loaded once per lua_State — one per runtime, so one per
 * worker thread — kept in a registry table and freed with the state.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "../plugin.h"
#include "../sentence.h"
#include "../token.h"
#include "lua_types.h"

#define RES_MT "assay.TextResource" /* internal: never reaches a plugin */

static const char RESKEY = 0; /* registry: name -> resource */

enum { RES_ABBREV = 1, RES_STOP, RES_STEM, RES_SCRATCH };

typedef struct res {
    int type;
    void *p; /* NULL until loaded: the userdata exists first, so an error
                while loading leaks nothing */
} res;

/* No luaL_checkudata here: restable() creates the metatable lazily, and
 * a finalizer run by that very allocation can create a second one, which
 * then no longer matches the registry's; the check would fail and the
 * resource leak. Only RES_MT metatables carry this __gc. */
static int res_gc(lua_State *L)
{
    res *r = lua_touserdata(L, 1);
    switch (r->type) {
    case RES_ABBREV: asy_abbrevs_free(r->p); break;
    case RES_STOP: asy_stopwords_free(r->p); break;
    case RES_STEM: asy_stemmer_free(r->p); break;
    case RES_SCRATCH:
        if (r->p)
            asy_tok_norm_free(r->p);
        free(r->p);
        break;
    default: break;
    }
    r->p = NULL;
    return 0;
}

/* Push the resource table (created on first use). */
static void restable(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &RESKEY) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &RESKEY);
    if (luaL_newmetatable(L, RES_MT)) {
        lua_pushcfunction(L, res_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
}

/* The loaded resource named key, or NULL (nothing pushed either way). */
static void *res_find(lua_State *L, const char *key)
{
    restable(L);
    lua_getfield(L, -1, key);
    res *r = luaL_testudata(L, -1, RES_MT);
    void *p = r ? r->p : NULL;
    lua_pop(L, 2);
    return p;
}

/* A new empty resource stored under key; returns it (nothing pushed). */
static res *res_new(lua_State *L, const char *key, int type)
{
    restable(L);
    res *r = lua_newuserdatauv(L, sizeof *r, 0);
    r->type = type;
    r->p = NULL;
    luaL_setmetatable(L, RES_MT);
    lua_setfield(L, -2, key);
    lua_pop(L, 1);
    return r;
}

/* ===== data files ======================================================== */

/* Push the first plugin directory holding rel as "dir/rel"; 0 when none
 * does (nothing pushed). The plugin directories are the engine's
 * defaults (ASSAY_PATH, beside the executable or library, the install
 * prefix, the source tree for a build-tree binary). */
static int find_data(lua_State *L, const char *rel)
{
    char **dirs = asy_plugin_dirs(NULL);
    struct stat st;
    int found = 0;
    for (int i = 0; dirs && dirs[i] && !found; i++) {
        lua_pushfstring(L, "%s/%s", dirs[i], rel);
        found = stat(lua_tostring(L, -1), &st) == 0 && S_ISREG(st.st_mode);
        if (!found)
            lua_pop(L, 1);
    }
    asy_strv_free(dirs);
    return found;
}

static void check_name(lua_State *L, const char *what, const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyz"
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789")
                                != n)
        luaL_error(L, "bad %s name '%s'", what, s);
}

static void raise_err(lua_State *L, const asy_error *e)
{
    if (e->hint[0])
        luaL_error(L, "%s (%s)", e->message, e->hint);
    luaL_error(L, "%s", e->message);
}

const asy_abbrevs *asy_lua_abbrevs(lua_State *L, const char *lang)
{
    check_name(L, "language", lang);
    lua_pushfstring(L, "abbrev:%s", lang);
    const char *key = lua_tostring(L, -1);
    asy_abbrevs *ab = res_find(L, key);
    if (!ab) {
        lua_pushfstring(L, "data/abbreviations/%s.txt", lang); /* key rel */
        if (!find_data(L, lua_tostring(L, -1)))
            luaL_error(L, "no abbreviation list for language '%s': %s not "
                       "found in the plugin directories", lang,
                       lua_tostring(L, -1));
        res *r = res_new(L, key, RES_ABBREV);
        asy_error e;
        asy_error_clear(&e);
        if (!(r->p = ab = asy_abbrevs_new()))
            luaL_error(L, "not enough memory");
        if (asy_abbrevs_load(ab, lua_tostring(L, -1), &e) != ASSAY_OK)
            raise_err(L, &e);
        lua_pop(L, 2); /* key */
    }
    lua_pop(L, 1);
    return ab;
}

/* A stop-word set: a bundled list name ("english") or a file path. */
static const asy_stopwords *stopwords(lua_State *L, const char *spec)
{
    lua_pushfstring(L, "stop:%s", spec);
    const char *key = lua_tostring(L, -1);
    asy_stopwords *sw = res_find(L, key);
    if (!sw) {
        if (strpbrk(spec, "/.")) {
            lua_pushstring(L, spec);
        } else {
            check_name(L, "stop-word list", spec);
            lua_pushfstring(L, "stopwords/%s.txt", spec);
            if (!find_data(L, lua_tostring(L, -1)))
                luaL_error(L, "no bundled stop-word list named '%s' (give a "
                           "file path for your own list)", spec);
            lua_remove(L, -2);
        }
        res *r = res_new(L, key, RES_STOP); /* key path */
        asy_error e;
        asy_error_clear(&e);
        if (!(r->p = sw = asy_stopwords_new()))
            luaL_error(L, "not enough memory");
        if (asy_stopwords_load(sw, lua_tostring(L, -1), &e) != ASSAY_OK)
            raise_err(L, &e);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return sw;
}

static asy_stemmer *stemmer(lua_State *L, const char *lang)
{
    check_name(L, "language", lang);
    lua_pushfstring(L, "stem:%s", lang);
    asy_stemmer *st = res_find(L, lua_tostring(L, -1));
    if (!st) {
        asy_error e;
        asy_error_clear(&e);
        res *r = res_new(L, lua_tostring(L, -1), RES_STEM);
        if (!(r->p = st = asy_stemmer_new(lang, &e)))
            raise_err(L, &e);
    }
    lua_pop(L, 1);
    return st;
}

asy_tok_norm *asy_lua_tokscratch(lua_State *L)
{
    asy_tok_norm *nm = res_find(L, "scratch");
    if (!nm) {
        res *r = res_new(L, "scratch", RES_SCRATCH);
        /* res_new allocates, which may run a finalizer that called us
         * and stored a scratch of its own: use whichever is stored. */
        if ((nm = res_find(L, "scratch")) != NULL)
            return nm;
        if (!(r->p = nm = malloc(sizeof *nm)))
            luaL_error(L, "not enough memory");
        *nm = (asy_tok_norm)ASY_TOK_NORM_INIT;
    }
    return nm;
}

/* ===== word options ===================================================== */

/* opts[name] as a string or nil; raises for other types. */
static const char *optstr(lua_State *L, int t, const char *name)
{
    const char *s = NULL;
    if (t == 0)
        return NULL;
    int ty = lua_getfield(L, t, name);
    if (ty == LUA_TSTRING)
        s = lua_tostring(L, -1); /* the table keeps the string alive */
    else if (ty != LUA_TNIL && !(ty == LUA_TBOOLEAN && !lua_toboolean(L, -1)))
        luaL_error(L, "word option '%s' must be a string", name);
    lua_pop(L, 1);
    return s && *s ? s : NULL;
}

static int optflag(lua_State *L, int t, const char *name, int dflt)
{
    if (t == 0)
        return dflt;
    int ty = lua_getfield(L, t, name);
    int v = ty == LUA_TNIL ? dflt : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* The kind mask of the array opts.kinds, or dflt when absent. */
static unsigned optkinds(lua_State *L, int t, unsigned dflt)
{
    if (t == 0 || lua_getfield(L, t, "kinds") == LUA_TNIL) {
        if (t)
            lua_pop(L, 1);
        return dflt;
    }
    if (!lua_istable(L, -1))
        luaL_error(L, "word option 'kinds' must be an array of kind names");
    unsigned mask = 0;
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
        const char *k = lua_tostring(L, -1);
        int found = 0;
        for (int kind = ASY_WB_WORD; k && kind <= ASY_WB_OTHER; kind++)
            if (strcmp(k, asy_wb_kind_name(kind)) == 0) {
                mask |= ASY_WB_KIND(kind);
                found = 1;
            }
        if (!found)
            luaL_error(L, "unknown word kind '%s' (word, number, emoji, "
                       "punct, symbol, other)", k ? k : "?");
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    if (!mask)
        luaL_error(L, "word option 'kinds' is empty");
    return mask;
}

static unsigned optnormalize(lua_State *L, int t)
{
    const char *n = optstr(L, t, "normalize");
    if (!n)
        return 0;
    if (strcmp(n, "nfc") == 0 || strcmp(n, "NFC") == 0)
        return ASY_TOK_NFC;
    if (strcmp(n, "nfkc") == 0 || strcmp(n, "NFKC") == 0)
        return ASY_TOK_NFKC;
    return (unsigned)luaL_error(L, "word option normalize must be \"nfc\" or "
                                "\"nfkc\", not '%s'", n);
}

void asy_lua_tokopts(lua_State *L, int idx, int lower_dflt,
                     unsigned kinds_dflt, asy_tok_opts *o, int push_key)
{
    int t = lua_isnoneornil(L, idx) ? 0 : lua_absindex(L, idx);
    if (t)
        luaL_checktype(L, t, LUA_TTABLE);
    memset(o, 0, sizeof *o);
    o->flags = (optflag(L, t, "lower", lower_dflt) ? ASY_TOK_LOWER : 0) |
               optnormalize(L, t);
    o->kinds = optkinds(L, t, kinds_dflt);
    const char *stem = optstr(L, t, "stem");
    const char *stop = optstr(L, t, "stopwords");
    if (stem)
        o->stem = stemmer(L, stem);
    if (stop)
        o->stop = stopwords(L, stop);
    lua_Integer ml = 1;
    if (t && lua_getfield(L, t, "min_length") != LUA_TNIL) {
        if (!lua_isinteger(L, -1))
            luaL_error(L, "option 'min_length' must be an integer");
        ml = lua_tointeger(L, -1);
    }
    if (t)
        lua_pop(L, 1);
    o->min_length = ml > 1 ? (size_t)ml : 0;
    if (push_key)
        lua_pushfstring(L, "%d|%d|%s|%s|%I", (int)o->flags, (int)o->kinds,
                        stem ? stem : "", stop ? stop : "",
                        (lua_Integer)o->min_length);
}

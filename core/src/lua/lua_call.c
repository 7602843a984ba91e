/*
 * lua_call.c — protected calls into plugin code and the translation of Lua
 * errors into asy_error records (message, file:line, document, hint with a
 * short traceback). Limit errors are recognised from the state's flags,
 * not from message text, so a plugin cannot forge or hide them.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_call.h"
#include "lua_state.h"

#define TB_MARK "\nstack traceback:\n"

/* Message handler (as lua.c's msghandler): make the error a string, then
 * append a traceback that the caller splits off again. */
static int msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)",
                                  luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1); /* msg .. TB_MARK .. frames */
    return 1;
}

long long asy_lua_msg_line(const char *msg, size_t *srclen)
{
    for (const char *p = strchr(msg, ':'); p; p = strchr(p + 1, ':')) {
        const char *q = p + 1;
        long long line = 0;
        while (isdigit((unsigned char)*q) && line < 100000000)
            line = line * 10 + (*q++ - '0');
        if (q > p + 1 && *q == ':') {
            if (srclen)
                *srclen = (size_t)(p - msg);
            return line;
        }
        if (*p == '\n')
            break;
    }
    if (srclen)
        *srclen = 0;
    return -1;
}

/* Does the message's source name (possibly shortened by Lua to
 * "...tail") refer to the plugin file? */
static int same_source(const char *src, size_t n, const char *path)
{
    size_t plen = strlen(path);
    if (n == plen && memcmp(src, path, n) == 0)
        return 1;
    if (n > 3 && memcmp(src, "...", 3) == 0 && plen >= n - 3)
        return memcmp(src + 3, path + plen - (n - 3), n - 3) == 0;
    return 0;
}

/* Copy the traceback frames into the hint, one indented line each, cut at
 * a line boundary so the hint stays within its buffer. */
static void add_traceback(asy_error *err, const char *tb)
{
    size_t used = strlen(err->hint);
    int frames = 0;
    while (*tb && frames < 6) {
        const char *nl = strchr(tb, '\n');
        size_t n = nl ? (size_t)(nl - tb) : strlen(tb);
        while (n && (*tb == '\t' || *tb == ' '))
            tb++, n--;
        if (n && strncmp(tb, "[C]: in ?", n) != 0) {
            if (used + n + 6 >= sizeof err->hint)
                break;
            used += (size_t)snprintf(err->hint + used, sizeof err->hint - used,
                                     "\n    %.*s", (int)n, tb);
            frames++;
        }
        if (!nl)
            break;
        tb = nl + 1;
    }
}

/* Fill err from the handler's "message TB_MARK traceback" string. */
static void fill_error(asy_error *err, const char *full, const asy_lcall *ci,
                       int code)
{
    const char *tb = strstr(full, TB_MARK);
    size_t mlen = tb ? (size_t)(tb - full) : strlen(full);
    asy_error_set(err, code, "%.*s", (int)mlen, full);
    size_t srclen = 0;
    long long line = asy_lua_msg_line(err->message, &srclen);
    if (line >= 0 && ci->path && same_source(err->message, srclen, ci->path))
        asy_error_at(err, ci->path, line, -1);
    else if (line >= 0 && srclen < sizeof err->file) {
        char src[sizeof err->file];
        snprintf(src, sizeof src, "%.*s", (int)srclen, err->message);
        asy_error_at(err, src, line, -1);
    } else
        asy_error_at(err, ci->path, -1, -1);
    asy_error_doc(err, ci->doc_id);
    asy_error_hint(err, "in %s() of plugin %s", ci->callback ? ci->callback : "?",
                   ci->plugin ? ci->plugin : "?");
    if (tb)
        add_traceback(err, tb + strlen(TB_MARK));
}

/* Rewrite the message of a limit error so it names the plugin and the
 * setting to change, keeping Lua's "source:line:" when there is one. */
static void limit_message(asy_error *err, const asy_lstate *s,
                          const asy_lcall *ci, int tripped)
{
    const char *name = ci->plugin ? ci->plugin : "?";
    char loc[600] = "";
    size_t srclen = 0;
    long long line = asy_lua_msg_line(err->message, &srclen);
    if (line >= 0 && tripped)
        snprintf(loc, sizeof loc, "%.*s: ",
                 (int)(strchr(err->message + srclen + 1, ':') - err->message),
                 err->message);
    if (tripped)
        snprintf(err->message, sizeof err->message,
                 "%splugin %s exceeded the instruction limit of %llu "
                 "(instr_limit)", loc, name,
                 (unsigned long long)s->instr_limit);
    else
        snprintf(err->message, sizeof err->message,
                 "plugin %s exceeded the memory limit of %zu MB (mem_limit_mb)",
                 name, s->limit >> 20);
}

int asy_lua_pcall(lua_State *L, int nargs, int nresults, const asy_lcall *ci,
                  asy_error *err)
{
    static const asy_lcall none = {NULL, NULL, NULL, NULL};
    asy_lstate *s = asy_lstate_get(L);
    int base = lua_gettop(L) - nargs; /* the function's slot */
    if (!ci)
        ci = &none;
    lua_pushcfunction(L, msgh);
    lua_insert(L, base); /* msgh f args */
    asy_lstate_begin(L);
    int st = lua_pcall(L, nargs, nresults, base);
    int tripped = s->instr_tripped, refused = s->mem_refused;
    asy_lstate_begin(L); /* leave the hook armed normally */
    if (st == LUA_OK) {
        lua_remove(L, base);
        return ASSAY_OK;
    }
    const char *full = lua_tostring(L, -1);
    /* A refusal the emergency GC recovered from is not the cause of an
     * unrelated error; "not enough memory" says it is. */
    int nomem = st == LUA_ERRMEM ||
                (refused && full && strstr(full, "not enough memory"));
    int code = (tripped || nomem) ? ASSAY_E_LIMIT : ASSAY_E_PLUGIN;
    if (err) {
        fill_error(err, full ? full : "not enough memory", ci, code);
        if (code == ASSAY_E_LIMIT)
            limit_message(err, s, ci, tripped);
    }
    lua_settop(L, base - 1);
    return code;
}

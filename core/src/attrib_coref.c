/*
 * attrib_coref.c — speaker phrases and coreference-lite for quote
 * attribution: where the speaker phrase next to a cue starts and ends, and
 * which canonical name a record's speaker gets (titles stripped, a surname
 * expanded to the full name mentioned earlier, he/she resolved to the
 * nearest earlier person of compatible gender).
 */
#include <stdlib.h>
#include <string.h>

#include "attrib_int.h"

enum { G_UNKNOWN = 0, G_MALE = 1, G_FEMALE = 2 };

#define NP_MAX 7 /* words in a speaker phrase */

static int word(const tok *t)
{
    return t->kind == TK_WORD || t->kind == TK_NUM;
}

static int adjacent(const actx *c, size_t i, size_t j)
{
    return j < c->nt && c->t[i].e == c->t[j].s;
}

static int subject_pronoun(const actx *c, size_t i)
{
    static const char *const P[] = {"he", "she", "it", "they", "we", "i",
                                    "who", "which"};
    if (!(c->t[i].cls & ASY_QL_PRONOUN))
        return 0;
    for (size_t k = 0; k < 8; k++)
        if (tok_is(c, i, P[k]))
            return 1;
    return 0;
}

static int adverb(const actx *c, size_t i)
{
    const tok *t = &c->t[i];
    size_t n = t->e - t->s;
    if (t->kind != TK_WORD || t->cap)
        return 0;
    return (t->cls & ASY_QL_AUX) ||
           (n > 3 && !memcmp(c->text + t->e - 2, "ly", 2));
}

/* Punctuation that may sit inside a name: "Sen.", "J.", "Kassym-Jomart",
 * "AT&T". */
static int inner_punct(const actx *c, size_t i)
{
    const tok *t = &c->t[i];
    if (i == 0 || i + 1 >= c->nt)
        return 0;
    /* a Latin-1 symbol glued inside a word is an accented letter whose
     * UTF-8 was read as Latin-1 (FranÃ§ois, or with a C1 control
     * character between): part of the name */
    if ((t->kind == TK_PUNCT || t->kind == TK_OTHER) && !t->qmark &&
        t->cp >= 0x80 && t->cp <= 0xFF)
        return adjacent(c, i - 1, i) && adjacent(c, i, i + 1) &&
               word(&c->t[i - 1]) && word(&c->t[i + 1]);
    if (t->kind != TK_PUNCT)
        return 0;
    if (t->cp == '.')
        return adjacent(c, i - 1, i) && c->t[i - 1].cap &&
               ((c->t[i - 1].cls & ASY_QL_TITLE) ||
                c->t[i - 1].e - c->t[i - 1].s == 1);
    return (t->cp == '-' || t->cp == '&') && adjacent(c, i - 1, i) &&
           adjacent(c, i, i + 1);
}

/* "of" between capitalised words: "Secretary of State". */
static int name_of(const actx *c, size_t i)
{
    return i > 0 && i + 1 < c->nt && tok_is(c, i, "of") &&
           c->t[i - 1].cap && c->t[i + 1].cap;
}

/* Does the phrase [a, b] look like something that speaks? */
static int np_valid(const actx *c, size_t a, size_t b)
{
    const tok *h = &c->t[b];
    if (!word(h))
        return 0;
    if (h->cls & (ASY_QL_PERSON | ASY_QL_ORG))
        return 1;
    int n = 0;
    for (size_t x = a; x <= b; x++) {
        const tok *t = &c->t[x];
        if ((t->cap && !(t->cls & ASY_QL_DET)) || t->kind == TK_NUM)
            return 1;
        n += word(t);
    }
    return (c->t[a].cls & ASY_QL_DET) && n >= 2 && n <= 4 && !h->cap;
}

static int set_np(match *m, size_t a, size_t b, int pron)
{
    m->np0 = a;
    m->np1 = b;
    m->pron = pron;
    return 1;
}

/* Skip "Name, apposition," back to the token before the first comma. */
static int skip_apposition(const actx *c, size_t *e, size_t lo)
{
    for (size_t k = *e; k-- > lo && k + 20 > *e;) {
        if (c->t[k].q >= 0 || c->t[k].sent != c->t[*e].sent)
            return 0;
        if (at_punct(c, k, ',')) {
            if (k == 0 || k == lo)
                return 0;
            *e = k - 1;
            return 1;
        }
    }
    return 0;
}

int np_before(const actx *c, size_t i, size_t lo, match *m)
{
    size_t j = i;
    for (int k = 0; k < 3 && j > lo && adverb(c, j - 1); k++)
        j--;
    if (j <= lo || j == 0)
        return 0;
    size_t e = j - 1;
    if (at_punct(c, e, ',') && !skip_apposition(c, &e, lo))
        return 0;
    const tok *t = &c->t[e];
    if (t->q >= 0 || t->sent != c->t[i].sent || !word(t))
        return 0;
    if (subject_pronoun(c, e))
        return set_np(m, e, e, 1);
    size_t s = e + 1;
    int n = 0;
    for (size_t x = e + 1; x-- > lo && n < NP_MAX;) {
        const tok *u = &c->t[x];
        if (u->q >= 0 || u->sent != t->sent)
            break;
        if (!word(u)) {
            if (!inner_punct(c, x))
                break;
        } else if ((u->cls & (ASY_QL_STOP | ASY_QL_TIME)) && !name_of(c, x) &&
                   !(u->cls & ASY_QL_DET)) {
            break;
        } else if (subject_pronoun(c, x) || cue_at(c, x)) {
            break;
        }
        s = x;
        n += word(u);
        if (u->cls & ASY_QL_DET)
            break;
    }
    if (s > e || !np_valid(c, s, e))
        return 0;
    return set_np(m, s, e, 0);
}

int np_after(const actx *c, size_t i, match *m)
{
    if (i >= c->nt || c->t[i].q >= 0 || !word(&c->t[i]))
        return 0;
    if (subject_pronoun(c, i))
        return set_np(m, i, i, 1);
    size_t e = i;
    int n = 0;
    for (size_t x = i; x < c->nt && n < NP_MAX; x++) {
        const tok *u = &c->t[x];
        if (u->q >= 0 || u->sent != c->t[i].sent)
            break;
        if (!word(u)) {
            if (!inner_punct(c, x))
                break;
        } else if (x > i && (u->cls & ASY_QL_DET)) {
            break;
        } else if ((u->cls & (ASY_QL_STOP | ASY_QL_TIME)) &&
                   !(x == i && (u->cls & ASY_QL_DET)) && !name_of(c, x)) {
            break;
        } else if (cue_at(c, x)) {
            break;
        }
        e = x;
        n += word(u);
    }
    if (n == 0 || !np_valid(c, i, e))
        return 0;
    return set_np(m, i, e, 0);
}

/* ===== canonical names ================================================ */

static int name_word(const actx *c, size_t x)
{
    return tok_name_word(&c->t[x]);
}

/* Length of a word without a possessive "’s" / "'s". */
static size_t base_len(const actx *c, size_t x)
{
    const char *s = c->text + c->t[x].s;
    size_t n = c->t[x].e - c->t[x].s;
    if (n > 4 && !memcmp(s + n - 4, "\xE2\x80\x99s", 4))
        return n - 4;
    if (n > 2 && !memcmp(s + n - 2, "'s", 2))
        return n - 2;
    return n;
}

/* The run of name words around token x: [*a, *b]. Returns the number of
 * name words. */
static int name_run(const actx *c, size_t x, size_t *a, size_t *b)
{
    size_t s = x, e = x;
    int n = 1;
    while (s > 0 && c->t[s - 1].sent == c->t[x].sent &&
           (name_word(c, s - 1) || (inner_punct(c, s - 1) && s >= 2 &&
                                    c->t[s - 1].cp != '.'))) {
        s--;
        n += name_word(c, s);
    }
    while (e + 1 < c->nt && c->t[e + 1].sent == c->t[x].sent &&
           (name_word(c, e + 1) ||
            (inner_punct(c, e + 1) && name_word(c, e + 2 < c->nt ? e + 2 : e)))) {
        e++;
        n += name_word(c, e);
    }
    while (s < e && !name_word(c, s))
        s++;
    *a = s;
    *b = e;
    return n;
}

static int same_word(const actx *c, size_t x, size_t y)
{
    size_t n = base_len(c, x);
    return n == base_len(c, y) &&
           !memcmp(c->text + c->t[x].s, c->text + c->t[y].s, n);
}

/* A one-word name ("Xi", "Clinton") becomes the first longer run holding
 * it earlier in the text; the word as surname (last) is preferred. One
 * scan over the name words before x (c->names): the first surname match
 * wins at once, else the first match of any position. */
static int expand(const actx *c, size_t x, size_t *a, size_t *b)
{
    size_t fa = 0, fb = 0;
    int found = 0;
    char first = c->text[c->t[x].s];
    for (size_t k = 0; k < c->nnames && c->names[k] < x; k++) {
        size_t y = c->names[k], s, e;
        if (c->text[c->t[y].s] != first || !same_word(c, x, y) ||
            name_run(c, y, &s, &e) < 2)
            continue;
        if (e == y) {
            *a = s;
            *b = e;
            return 1;
        }
        if (!found) {
            found = 1;
            fa = s;
            fb = e;
        }
    }
    if (found) {
        *a = fa;
        *b = fb;
    }
    return found;
}

static int gender_of(const actx *c, size_t a)
{
    uint32_t k = c->t[a].cls;
    if (a > 0 && (tok_is(c, a - 1, "mr") || tok_is(c, a - 1, "sir")))
        return G_MALE;
    if (a > 0 && (tok_is(c, a - 1, "mrs") || tok_is(c, a - 1, "ms")))
        return G_FEMALE;
    if (a > 1 && at_punct(c, a - 1, '.'))
        return gender_of(c, a - 1);
    if ((k & ASY_QL_FEMALE) && !(k & ASY_QL_MALE))
        return G_FEMALE;
    if ((k & ASY_QL_MALE) && !(k & ASY_QL_FEMALE))
        return G_MALE;
    return G_UNKNOWN;
}

/* Name of the phrase [a, b] that is not a pronoun. */
static void name_of_np(const actx *c, size_t a, size_t b, size_t *s,
                       size_t *e)
{
    size_t x = a;
    for (size_t y = a; y <= b; y++) /* after the last title */
        if ((c->t[y].cls & ASY_QL_TITLE) && c->t[y].cap && y < b)
            x = y + 1;
    while (x <= b && !name_word(c, x))
        x++;
    *s = a;
    *e = b;
    if (x > b)
        return; /* a common noun phrase: as written */
    size_t ra, rb;
    name_run(c, x, &ra, &rb);
    if (rb < b)
        return; /* "Clinton’s campaign": the phrase is the speaker */
    *s = x;
    *e = b;
    if (x == b && !(c->t[x].cls & ASY_QL_ORG))
        expand(c, x, s, e);
}

typedef struct resolved {
    size_t a, b; /* name tokens, a == -1 when none */
    int gender;
    int person;
} resolved;

/* he/she: the nearest earlier record whose speaker is a compatible
 * person; failing that the nearest compatible name in the text. */
static int resolve_pronoun(const actx *c, const resolved *rs, size_t r,
                           size_t x, int g, resolved *out)
{
    for (size_t k = r; k-- > 0 && k + 20 > r;)
        if (rs[k].a != (size_t)-1 && rs[k].person &&
            (rs[k].gender == g || rs[k].gender == G_UNKNOWN)) {
            *out = rs[k];
            return 1;
        }
    for (size_t y = x; y-- > 0 && y + 400 > x;) {
        size_t s, e;
        if (!name_word(c, y) || gender_of(c, y) != g ||
            name_run(c, y, &s, &e) < 2)
            continue;
        out->a = s;
        out->b = e;
        out->gender = g;
        out->person = 1;
        return 1;
    }
    return 0;
}

/* "the regulator's chair, Ana Ruiz, told": a role phrase [a, b] followed
 * by a proper name between commas names the same person; the name's
 * tokens go to [*s, *e]. */
static int appositive_name(const actx *c, size_t a, size_t b, size_t *s,
                           size_t *e)
{
    for (size_t x = a; x <= b; x++)
        if (name_word(c, x))
            return 0; /* the phrase has a name of its own */
    size_t p = b + 2, ra, rb;
    if (!at_punct(c, b + 1, ',') || p >= c->nt || c->t[p].q >= 0 ||
        c->t[p].sent != c->t[b].sent || !name_word(c, p) ||
        (c->t[p].cls & ASY_QL_TIME))
        return 0;
    name_run(c, p, &ra, &rb);
    if (ra != p || !at_punct(c, rb + 1, ','))
        return 0;
    *s = ra;
    *e = rb;
    return 1;
}

static void resolve_np(const actx *c, size_t a, size_t b, resolved *o)
{
    if (appositive_name(c, a, b, &o->a, &o->b)) {
        o->person = !(c->t[o->b].cls & ASY_QL_ORG);
        o->gender = gender_of(c, o->a);
        return;
    }
    name_of_np(c, a, b, &o->a, &o->b);
    o->person = c->t[o->a].cap && !(c->t[o->b].cls & ASY_QL_ORG);
    o->gender = gender_of(c, o->a);
}

static void resolve_one(const actx *c, resolved *rs, size_t r)
{
    const asy_attr *A = &c->out->a[r];
    resolved *o = &rs[r];
    o->a = o->b = (size_t)-1;
    o->gender = G_UNKNOWN;
    o->person = 0;
    if (A->spk_start == ASY_ATTR_NONE)
        return;
    /* the speaker's tokens (sort_records keeps c->rtok in record order) */
    size_t a = c->rtok[2 * r], b = c->rtok[2 * r + 1];
    if (a >= c->nt || b < a)
        return;
    if (a == b && (tok_is(c, a, "who") || tok_is(c, a, "which"))) {
        match mm; /* the phrase the relative clause hangs on */
        size_t x = a > 0 && at_punct(c, a - 1, ',') ? a - 1 : a;
        if (x > 0 && np_before(c, x, 0, &mm) && !mm.pron)
            resolve_np(c, mm.np0, mm.np1, o);
        return;
    }
    if (a == b && subject_pronoun(c, a)) {
        int g = tok_is(c, a, "he") ? G_MALE
                : tok_is(c, a, "she") ? G_FEMALE : G_UNKNOWN;
        if (g != G_UNKNOWN && resolve_pronoun(c, rs, r, a, g, o))
            o->gender = g;
        return;
    }
    resolve_np(c, a, b, o);
}

/* c->names: every name word of the text, for expand (unless tokenize
 * collected them). */
static int index_names(actx *c)
{
    if (c->names)
        return 0;
    c->nnames = 0;
    c->names = malloc((c->nt ? c->nt : 1) * sizeof *c->names);
    if (!c->names)
        return -1;
    for (size_t y = 0; y < c->nt; y++)
        if (name_word(c, y))
            c->names[c->nnames++] = y;
    return 0;
}

int asy_attrib_coref(actx *c)
{
    size_t n = c->out->n;
    if (n == 0)
        return 0;
    if (index_names(c) != 0)
        return -1;
    resolved *rs = malloc(n * sizeof *rs);
    if (!rs)
        return -1;
    for (size_t r = 0; r < n; r++) {
        resolve_one(c, rs, r);
        asy_attr *A = &c->out->a[r];
        if (rs[r].a != (size_t)-1) {
            A->name_start = c->t[rs[r].a].s;
            A->name_end = c->t[rs[r].b].e;
        } else if (A->spk_start != ASY_ATTR_NONE) {
            A->confidence *= 0.8; /* an unresolved pronoun */
        }
    }
    free(rs);
    return 0;
}

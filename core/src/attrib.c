/*
 * attrib.c — quote attribution (see attrib.h): tokens, sentences and
 * quotation spans of one text go through three passes — direct quotations
 * (cue and speaker around each outermost quotation), reported speech per
 * sentence (indirect, mixed, according_to) and coreference-lite for the
 * canonical speaker names (attrib_coref.c).
 *
 * Direct quotations. A quotation is a "block" when it opens its sentence
 * or a line, follows a colon, or follows "cue ,"; otherwise it is a
 * fragment inside a sentence and belongs to the reported-speech pass, as
 * does a quotation after "that" (X said that, “…”: mixed) or one opening
 * with a lowercase word after "cue ," (X said, “the …”: mixed). For a
 * block the rules are tried in this order (their names are the `rule`
 * column):
 *   quote-speaker-cue     “…,” Smith said.   “…” the newspaper reported.
 *                         “…” Mr. Morgan of the Sierra Club said.
 *   quote-cue-speaker     “…,” said Smith.
 *   quote-dash-speaker    “…” ― Name  (the name ends its line)
 *   speaker-cue-colon     Smith said: “…”   Smith told reporters, “…”
 *   speaker-cue-quote     21 percent said “not too likely”  (fragment)
 *   colon-previous-sentence   Smith said this:  “…”  (earlier sentence)
 *   floating-previous-speaker a cue-less quotation takes the speaker of the
 *                         nearest record in this or the two previous
 *                         paragraphs; floating-no-speaker when none.
 * An interrupted quotation “A,” Smith said. “B.” — a second quotation right
 * after the attribution, with no attribution of its own — joins the first
 * record as a second segment.
 *
 * Reported speech, one record per sentence at most (sentences holding a
 * direct record are skipped):
 *   according-to          According to X, …   … , according to X.
 *   speaker-cue-that      X said (that) …     (content after the cue)
 *   content-speaker-cue   …, X said.          (content before)
 *   content-cue-speaker   …, said X.
 * The type is mixed when the content holds a quotation, else indirect.
 *
 * Speaker phrases have no parser behind them: a pronoun, or a run of up to
 * seven words ended by punctuation or a [stop] word, which must hold a
 * capitalised word, a number, or a [person-noun] head, or open with a
 * determiner. Confidence is a per-rule prior (PRIORS below: the share of
 * each rule's records that matched a gold attribution with the right
 * speaker on PolNeAR train+dev), times 0.8 for a pronoun speaker left
 * unresolved.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "attrib_int.h"

/* ===== tokens ========================================================== */

static int is_qmark(uint32_t c)
{
    switch (c) {
    case '"': case '\'': case 0x201C: case 0x201D: case 0x2018: case 0x2019:
    case 0x201E: case 0x201A: case 0x00AB: case 0x00BB: case 0x2039:
    case 0x203A: case 0x300C: case 0x300D: case 0x300E: case 0x300F:
        return 1;
    default:
        return 0;
    }
}

static uint32_t first_cp(const char *s, size_t n)
{
    if (n > 0 && (unsigned char)s[0] < 0x80)
        return (unsigned char)s[0];
    utf8proc_int32_t c = 0;
    if (utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
                         &c) <= 0)
        return 0xFFFD;
    return (uint32_t)c;
}

static int upper_cp(uint32_t c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z';
    utf8proc_category_t k = utf8proc_category((utf8proc_int32_t)c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LT;
}

/* Room for n more tokens. */
static int reserve_toks(actx *c, size_t n)
{
    if (c->tcap - c->nt >= n)
        return 0;
    size_t ncap = c->tcap ? c->tcap * 2 : 256;
    if (ncap < c->nt + n)
        ncap = c->nt + n;
    tok *nt = realloc(c->t, ncap * sizeof *nt);
    if (!nt)
        return -1;
    c->t = nt;
    c->tcap = ncap;
    return 0;
}

/* Where tokenize is in the sentence and paragraph lists. */
typedef struct units {
    size_t si, pi;
} units;

/* Fill token t from segment s. Its sentence and paragraph are the first
 * ending after its start (the last when none does): segments, sentences
 * and paragraphs all come in text order, so u only moves forward. */
static inline __attribute__((always_inline)) void
fill_tok(const actx *c, tok *t, const asy_wb_seg *s, units *u)
{
    while (u->si + 1 < c->ns && c->sent[u->si].end <= s->start)
        u->si++;
    while (u->pi + 1 < c->np && c->para[u->pi].end <= s->start)
        u->pi++;
    t->s = s->start;
    t->e = s->end;
    t->q = -1;
    t->sent = u->si;
    t->para = u->pi;
    t->cls = 0;
    t->cap = t->qmark = 0;
    t->cp = first_cp(c->text + s->start, s->end - s->start);
    if (s->kind == ASY_WB_WORD) {
        t->kind = TK_WORD;
        t->cap = (uint8_t)upper_cp(t->cp);
        t->cls = asy_qlex_get_in(c->m->lex, c->text + t->s, t->e - t->s,
                                 c->len - t->s);
    } else if (s->kind == ASY_WB_NUMBER) {
        t->kind = TK_NUM;
    } else {
        t->kind = s->kind == ASY_WB_PUNCT ? TK_PUNCT : TK_OTHER;
        t->qmark = (uint8_t)is_qmark(t->cp);
    }
}

static int push_tok(actx *c, const asy_wb_seg *s, units *u)
{
    if (c->nt == c->tcap && reserve_toks(c, 1) != 0)
        return -1;
    fill_tok(c, &c->t[c->nt++], s, u);
    return 0;
}

/* Tokens with their sentence and paragraph (split_sentences first). */
static int tokenize(actx *c)
{
    units u = {0, 0};
    if (c->opt.words) { /* the document's cached segments: one token each;
                           name words noted while the tokens are hot */
        size_t n = c->opt.nwords;
        if (reserve_toks(c, n) != 0 ||
            !(c->names = malloc((n ? n : 1) * sizeof *c->names)))
            return -1;
        for (size_t i = 0; i < n; i++) {
            fill_tok(c, &c->t[i], &c->opt.words[i], &u);
            c->names[c->nnames] = i;
            c->nnames += (size_t)tok_name_word(&c->t[i]);
        }
        c->nt = n;
        return 0;
    }
    asy_wb_iter it;
    asy_wb_seg seg[64];
    size_t k;
    asy_wb_init(&it, c->text, c->len, ASY_WB_NOSPACE);
    while ((k = asy_wb_fill(&it, seg, 64)) > 0)
        for (size_t i = 0; i < k; i++)
            if (push_tok(c, &seg[i], &u) != 0)
                return -1;
    return 0;
}


/* Mark the tokens inside each outermost quotation; remember its first and
 * last token. */
static int assign_quotes(actx *c)
{
    size_t nq = c->qs.n;
    c->qt0 = malloc((nq ? nq : 1) * sizeof *c->qt0);
    c->qt1 = malloc((nq ? nq : 1) * sizeof *c->qt1);
    if (!c->qt0 || !c->qt1)
        return -1;
    size_t i = 0;
    for (size_t q = 0; q < nq; q++) {
        const asy_quote *Q = &c->qs.q[q];
        c->qt0[q] = c->qt1[q] = (size_t)-1;
        if (Q->depth != 0 || Q->status == ASY_QUOTE_STRAY)
            continue;
        while (i < c->nt && c->t[i].s < Q->start)
            i++;
        for (size_t j = i; j < c->nt && c->t[j].s < Q->end; j++) {
            c->t[j].q = (long)q;
            if (c->qt0[q] == (size_t)-1)
                c->qt0[q] = j;
            c->qt1[q] = j;
        }
    }
    return 0;
}

/* ===== small predicates =============================================== */

int at_punct(const actx *c, size_t i, char ch)
{
    return i < c->nt && c->t[i].kind == TK_PUNCT && c->t[i].cp == (uint32_t)ch;
}

static int same_sent(const actx *c, size_t i, size_t j)
{
    return i < c->nt && j < c->nt && c->t[i].sent == c->t[j].sent;
}

/* cue_at (attrib_int.h) past its first test. */
size_t asy_attrib_cue(const actx *c, size_t i)
{
    if (i >= c->nt || c->t[i].kind != TK_WORD || c->t[i].cap ||
        c->t[i].q >= 0)
        return 0;
    const tok *t = &c->t[i];
    if ((t->cls & ASY_QL_HEAD) && i + 1 < c->nt &&
        c->t[i + 1].kind == TK_WORD &&
        c->t[i + 1].s == t->e + 1 &&
        (asy_qlex_get2(c->m->lex, c->text + t->s, t->e - t->s,
                       c->text + c->t[i + 1].s,
                       c->t[i + 1].e - c->t[i + 1].s) & ASY_QL_CUE))
        return 2;
    if (!(t->cls & ASY_QL_CUE))
        return 0;
    if (i > 0 && (tok_is(c, i - 1, "to") || tok_is(c, i - 1, "not")))
        return 0; /* "to say", "did not say": not a report */
    return 1;
}

/* ===== records ========================================================= */

static int add_seg(actx *c, size_t s, size_t e)
{
    asy_attrs *o = c->out;
    if (o->nseg == c->segcap) {
        size_t ncap = c->segcap ? c->segcap * 2 : 32;
        asy_span *ns = realloc(o->seg, ncap * sizeof *ns);
        if (!ns)
            return -1;
        o->seg = ns;
        c->segcap = ncap;
    }
    o->seg[o->nseg].start = s;
    o->seg[o->nseg].end = e;
    o->nseg++;
    return 0;
}

/* Append a record; its speaker/cue come from the match m. */
static asy_attr *add_rec(actx *c, asy_attr_type ty, size_t s, size_t e,
                         const match *m, const char *rule, double conf)
{
    asy_attrs *o = c->out;
    if (o->n == c->acap) {
        size_t ncap = c->acap ? c->acap * 2 : 16;
        asy_attr *na = realloc(o->a, ncap * sizeof *na);
        size_t *nt = realloc(c->rtok, ncap * 2 * sizeof *nt);
        if (nt)
            c->rtok = nt;
        if (!na || !nt) {
            if (na)
                o->a = na;
            return NULL;
        }
        o->a = na;
        c->acap = ncap;
    }
    asy_attr *a = &o->a[o->n];
    memset(a, 0, sizeof *a);
    a->type = ty;
    a->start = s;
    a->end = e;
    a->seg = o->nseg;
    a->spk_start = a->spk_end = a->name_start = a->name_end = ASY_ATTR_NONE;
    a->cue_start = a->cue_end = ASY_ATTR_NONE;
    a->rule = rule;
    a->confidence = conf;
    a->closed = 1;
    c->rtok[2 * o->n] = c->rtok[2 * o->n + 1] = (size_t)-1;
    if (m && m->np0 != (size_t)-1) {
        a->spk_start = c->t[m->np0].s;
        a->spk_end = c->t[m->np1].e;
        c->rtok[2 * o->n] = m->np0;
        c->rtok[2 * o->n + 1] = m->np1;
    }
    if (m && m->cue0 != (size_t)-1) {
        a->cue_start = c->t[m->cue0].s;
        a->cue_end = c->t[m->cue1].e;
    }
    o->n++;
    return a;
}

/* ===== direct quotations ============================================== */

static void match_init(match *m);

static int quote_used(const actx *c, size_t q)
{
    return c->qt0[q] == (size_t)-1;
}

/* "…” Smith said" / "…” said Smith" after the quotation ending at token
 * last. Fills m (its `end` is the last token of the pattern). */
static int is_dash(uint32_t cp)
{
    return cp == '-' || cp == 0x2013 || cp == 0x2014 || cp == 0x2015;
}

/* “…” ― Name (end of the line): the layout of vox-pop collections. */
static int dash_match(const actx *c, size_t j, match *m)
{
    if (!np_after(c, j, m) || m->pron)
        return 0;
    size_t e = m->np1 + 1;
    if (at_punct(c, e, '.'))
        e++;
    if (e < c->nt && c->t[e].para == c->t[j].para &&
        memchr(c->text + c->t[m->np1].e, '\n', c->t[e].s - c->t[m->np1].e) ==
            NULL)
        return 0;
    m->end = m->np1;
    m->rule = "quote-dash-speaker";
    return 1;
}

/* "Smith, the mayor, said" / "Rep. Moore (D-Wis.) said": the phrase at j
 * when the words before the cue are not a phrase of their own. */
static int is_prep(const actx *c, size_t i)
{
    static const char *const P[] = {"of", "in", "at", "for", "from", "with"};
    for (size_t k = 0; k < sizeof P / sizeof P[0]; k++)
        if (tok_is(c, i, P[k]))
            return 1;
    return 0;
}

static int speaker_then_cue(const actx *c, size_t j, size_t x, match *m)
{
    if (np_before(c, x, j, m) && m->np0 == j)
        return 1;
    if (!np_after(c, j, m) || m->np1 + 1 >= x)
        return 0;
    size_t p = m->np1 + 1;
    match m2;
    /* "Mr. Morgan of the Sierra Club said", "a narrator in the ad asks":
     * a phrase, a preposition, and a phrase reaching the cue */
    if (p + 1 < x && is_prep(c, p) && np_before(c, x, p + 1, &m2) &&
        m2.np0 == p + 1 && !m->pron) {
        m->np1 = m2.np1;
        return 1;
    }
    return at_punct(c, p, ',') || at_punct(c, p, '(');
}

static int tail_match(const actx *c, size_t last, match *m)
{
    size_t j = last + 1;
    if (j < c->nt && c->t[j].para != c->t[last].para)
        return 0;
    int dash = j < c->nt && c->t[j].kind == TK_PUNCT && is_dash(c->t[j].cp);
    if (at_punct(c, j, ',') || dash)
        j++;
    if (j >= c->nt || c->t[j].q >= 0 || c->t[j].para != c->t[last].para)
        return 0;
    size_t k = cue_at(c, j);
    if (k && np_after(c, j + k, m)) {
        m->cue0 = j;
        m->cue1 = j + k - 1;
        m->end = m->np1;
        m->rule = "quote-cue-speaker";
        return 1;
    }
    for (size_t x = j + 1; x < c->nt && x < j + 18; x++) {
        if (c->t[x].q >= 0 || c->t[x].para != c->t[j].para)
            break;
        if ((k = cue_at(c, x)) != 0) {
            if (!speaker_then_cue(c, j, x, m))
                break;
            m->cue0 = x;
            m->cue1 = x + k - 1;
            m->end = m->cue1;
            m->rule = "quote-speaker-cue";
            return 1;
        }
    }
    match_init(m);
    return dash && dash_match(c, j, m);
}

/* After a tail attribution: does the sentence go on with new content
 * ("“A.” Smith said that B")? Then the tail belongs to that content. */
static int tail_continues(const actx *c, const match *m)
{
    size_t n = 0;
    if (at_punct(c, m->end + 1, ',') || at_punct(c, m->end + 1, ';'))
        return 0; /* “A?” she said, but …: a new clause, not content */
    for (size_t x = m->end + 1; x < c->nt && same_sent(c, x, m->end); x++) {
        if (memchr(c->text + c->t[x - 1].e, '\n', c->t[x].s - c->t[x - 1].e))
            return 0; /* a line break ends the attribution */
        if (c->t[x].q >= 0 || tok_is(c, x, "that") || cue_at(c, x))
            return 1;
        if (c->t[x].kind == TK_WORD && ++n > 10)
            return 1;
    }
    return 0;
}

/* The words before the quotation (same sentence) end in "cue :" or
 * "cue ,": Smith said: “…”, said Smith: “…” ; or "cue “…”". */
static int lead_match(const actx *c, size_t first, int *fragment, match *m)
{
    if (first == 0 || !same_sent(c, first - 1, first) ||
        c->t[first - 1].q >= 0)
        return 0;
    size_t j = first - 1;
    int colon = at_punct(c, j, ':') || at_punct(c, j, ',');
    if (colon)
        j--;
    if (j < c->nt && c->t[j].q < 0 && tok_is(c, j, "that"))
        return 0; /* said that(,) “…”: a quotation inside a reported
                     clause, mixed (reported-speech pass) */
    *fragment = !colon;
    for (size_t x = j + 1; x-- > 0 && x + 8 > j;) {
        if (c->t[x].q >= 0 || !same_sent(c, x, first))
            break;
        size_t k = cue_at(c, x);
        if (!k || (!colon && x + k - 1 != j))
            continue;
        if (!np_before(c, x, 0, m) && !np_after(c, x + k, m)) {
            if (colon)
                continue; /* Smith said, adding later, “…”: the subject
                             of an earlier cue speaks */
            return 0;
        }
        m->cue0 = x;
        m->cue1 = x + k - 1;
        m->rule = colon ? "speaker-cue-colon" : "speaker-cue-quote";
        return 1;
    }
    return 0;
}

/* The previous sentence of the paragraph ends with ':' and has a cue. */
static int colon_prev(const actx *c, size_t first, match *m)
{
    if (first == 0 || !at_punct(c, first - 1, ':') ||
        c->t[first - 1].para != c->t[first].para)
        return 0;
    int frag;
    if (!lead_match(c, first, &frag, m))
        return 0;
    m->rule = "colon-previous-sentence";
    return 1;
}

/* The speaker of the nearest record in this or the two paragraphs before. */
static int floating_match(const actx *c, size_t first, match *m)
{
    size_t para = c->t[first].para;
    for (size_t r = c->out->n; r-- > 0;) {
        size_t np0 = c->rtok[2 * r];
        if (c->out->a[r].start > c->t[first].s)
            continue;
        if (np0 == (size_t)-1)
            continue;
        if (c->t[np0].para + 2 < para)
            return 0;
        m->np0 = np0;
        m->np1 = c->rtok[2 * r + 1];
        m->from = r;
        m->rule = "floating-previous-speaker";
        return 1;
    }
    return 0;
}

static int words_inside(const actx *c, size_t q)
{
    int n = 0;
    for (size_t x = c->qt0[q]; x <= c->qt1[q]; x++)
        n += c->t[x].kind == TK_WORD;
    return n;
}

/* Is quotation q a block (opens its sentence or a line, or follows ':' /
 * "cue ,")? */
static int is_block(const actx *c, size_t q)
{
    size_t f = c->qt0[q];
    if (f == 0 || !same_sent(c, f - 1, f) ||
        c->t[f - 1].para != c->t[f].para)
        return 1;
    if (at_punct(c, f - 1, ':'))
        return 1;
    /* a quotation opening a line (one-newline layouts: vox-pop lists
     * "“…” ― Name" line after line) starts a block too */
    if (memchr(c->text + c->t[f - 1].e, '\n', c->t[f].s - c->t[f - 1].e))
        return 1;
    return at_punct(c, f - 1, ',') && f >= 2 && cue_at(c, f - 2);
}

/* The quotation closes with . ? ! inside its marks. */
static int ends_sentence(const actx *c, size_t l)
{
    return l > 0 && c->t[l - 1].kind == TK_PUNCT &&
           (c->t[l - 1].cp == '.' || c->t[l - 1].cp == '?' ||
            c->t[l - 1].cp == '!');
}

/* The quotation's first word is lowercase (Smith said, “the rules …”):
 * the quoted words continue the writer's sentence rather than start the
 * speaker's own, so the sentence is reported speech holding a quotation
 * (mixed), as the annotators mark it — unless a quotation ending in a comma
 * came earlier in the sentence (the second part of an interrupted one). */
static int opens_lower(const actx *c, size_t q)
{
    for (size_t x = c->qt0[q]; x-- > 0 && same_sent(c, x, c->qt0[q]);)
        if (c->t[x].q >= 0) {
            if (x > 0 && at_punct(c, x - 1, ','))
                return 0; /* “A,” he said, “and b.”: the words go on */
            break;
        }
    for (size_t x = c->qt0[q]; x <= c->qt1[q] && x < c->nt; x++) {
        if (c->t[x].qmark || c->t[x].kind == TK_PUNCT)
            continue;
        return c->t[x].kind == TK_WORD && !c->t[x].cap;
    }
    return 0;
}

/* Words follow the quotation in its sentence (“…” workers.): a fragment. */
static int runs_on(const actx *c, size_t l)
{
    return l + 1 < c->nt && same_sent(c, l, l + 1) &&
           c->t[l + 1].kind == TK_WORD && c->t[l + 1].q < 0;
}

static void match_init(match *m)
{
    m->np0 = m->np1 = m->cue0 = m->cue1 = m->end = m->from = (size_t)-1;
    m->rule = NULL;
    m->pron = 0;
}

/* The next outermost quotation after q in the same paragraph. */
static long next_quote(const actx *c, size_t q)
{
    for (size_t r = q + 1; r < c->qs.n; r++)
        if (c->qt0[r] != (size_t)-1)
            return c->t[c->qt0[r]].para == c->t[c->qt0[q]].para ? (long)r
                                                                  : -1;
    return -1;
}

/* “A,” Smith said. “B.” — q2 follows the tail at once and has no tail of
 * its own: it is the second part of the same quotation. */
static long interrupted(const actx *c, size_t q, const match *m)
{
    long r = next_quote(c, q);
    if (r < 0)
        return -1;
    size_t f = c->qt0[r];
    for (size_t j = m->end + 1; j < f; j++)
        if (c->t[j].q >= 0 || c->t[j].sent != c->t[m->end].sent ||
            cue_at(c, j) || j > m->end + 40)
            return -1;
    match m2;
    match_init(&m2);
    if (tail_match(c, c->qt1[r], &m2))
        return -1;
    return r;
}

static double prior(const char *rule);

static int emit_direct(actx *c, size_t q, long q2, const match *m,
                       asy_attr_type ty)
{
    const asy_quote *Q = &c->qs.q[q];
    size_t end = q2 >= 0 ? c->qs.q[q2].end : Q->end;
    asy_attr *a = add_rec(c, ty, Q->start, end, m, m->rule, prior(m->rule));
    if (!a)
        return -1;
    a->closed = Q->status != ASY_QUOTE_UNCLOSED &&
                (q2 < 0 || c->qs.q[q2].status != ASY_QUOTE_UNCLOSED);
    for (size_t s = Q->seg; s < Q->seg + Q->nseg; s++)
        if (add_seg(c, c->qs.seg[s].start, c->qs.seg[s].end) != 0)
            return -1;
    if (q2 >= 0) {
        const asy_quote *R = &c->qs.q[q2];
        for (size_t s = R->seg; s < R->seg + R->nseg; s++)
            if (add_seg(c, c->qs.seg[s].start, c->qs.seg[s].end) != 0)
                return -1;
    }
    a->nseg = c->out->nseg - a->seg;
    if (m->from != (size_t)-1) { /* floating: copy the speaker's record */
        const asy_attr *f = &c->out->a[m->from];
        a->spk_start = f->spk_start;
        a->spk_end = f->spk_end;
    }
    return 0;
}

/* Mark the sentences a direct record used, so the reported-speech pass
 * leaves them alone. */
static void claim(actx *c, size_t t0, size_t t1)
{
    for (size_t x = t0; x <= t1 && x < c->nt; x++)
        c->busy[c->t[x].sent] = 1;
}

static int direct_one(actx *c, size_t q)
{
    match m;
    int frag = 0;
    long q2 = -1;
    size_t f = c->qt0[q], l = c->qt1[q];
    asy_attr_type ty = ASY_ATTR_DIRECT;
    match_init(&m);
    int block = is_block(c, q);
    if (block && tail_match(c, l, &m) &&
        ((q2 = interrupted(c, q, &m)) >= 0 || !ends_sentence(c, l) ||
         !tail_continues(c, &m))) {
    } else if ((match_init(&m), lead_match(c, f, &frag, &m))) {
        if (frag && l + 1 < c->nt && same_sent(c, l + 1, l) &&
            c->t[l + 1].kind == TK_WORD)
            return 0; /* said “x” and more: mixed, next pass */
        if (!frag && opens_lower(c, q))
            return 0; /* said, “the …”: mixed, next pass */
    } else if (!block || runs_on(c, l)) {
        return 0;
    } else if ((match_init(&m), colon_prev(c, f, &m))) {
    } else if (!c->opt.floating || words_inside(c, q) < 3) {
        return 0;
    } else if ((match_init(&m), floating_match(c, f, &m))) {
        ty = ASY_ATTR_FLOATING;
    } else {
        match_init(&m);
        m.rule = "floating-no-speaker";
        ty = ASY_ATTR_FLOATING;
    }
    if (emit_direct(c, q, q2, &m, ty) != 0)
        return -1;
    claim(c, f, l);
    if (m.end != (size_t)-1)
        claim(c, l, m.end);
    if (q2 >= 0) {
        claim(c, c->qt0[q2], c->qt1[q2]);
        c->qt0[q2] = (size_t)-1; /* consumed */
    }
    return 0;
}

static int pass_direct(actx *c)
{
    for (size_t q = 0; q < c->qs.n; q++)
        if (!quote_used(c, q) && direct_one(c, q) != 0)
            return -1;
    return 0;
}

/* ===== reported speech ================================================ */

static size_t sent_last(const actx *c, size_t i)
{
    while (i + 1 < c->nt && same_sent(c, i + 1, i))
        i++;
    return i;
}

/* Content tokens [a, b]: drop a final period and surrounding commas. */
static int content_span(actx *c, size_t a, size_t b, size_t *s, size_t *e)
{
    while (b > a && c->t[b].q < 0 && c->t[b].kind == TK_PUNCT &&
           !c->t[b].qmark)
        b--;
    while (a < b && c->t[a].q < 0 && c->t[a].kind == TK_PUNCT &&
           !c->t[a].qmark)
        a++;
    int words = 0;
    for (size_t x = a; x <= b; x++)
        words += c->t[x].kind == TK_WORD || c->t[x].kind == TK_NUM;
    if (words < 3)
        return 0;
    *s = c->t[a].s;
    *e = c->t[b].e;
    /* a quotation running past b (mixed content ending in “….”) */
    if (c->t[b].q >= 0 && c->qs.q[c->t[b].q].end > *e)
        *e = c->qs.q[c->t[b].q].end;
    return 1;
}

static int has_quote(const actx *c, size_t a, size_t b)
{
    for (size_t x = a; x <= b && x < c->nt; x++)
        if (c->t[x].q >= 0)
            return 1;
    return 0;
}

static int emit_reported(actx *c, size_t a, size_t b, const match *m,
                         asy_attr_type ty)
{
    size_t s, e;
    if (!content_span(c, a, b, &s, &e))
        return 0;
    if (ty != ASY_ATTR_ACCORDING && has_quote(c, a, b))
        ty = ASY_ATTR_MIXED;
    asy_attr *r = add_rec(c, ty, s, e, m, m->rule, prior(m->rule));
    if (!r)
        return -1;
    if (add_seg(c, s, e) != 0)
        return -1;
    r->nseg = 1;
    return 1;
}

/* "according to X": content on the other side of the phrase. */
static int according(actx *c, size_t a, size_t b)
{
    for (size_t x = a; x + 1 <= b; x++) {
        match m;
        if (!(c->t[x].cls & ASY_QL_ACCORDING) || c->t[x].q >= 0 ||
            !tok_is(c, x + 1, "to"))
            continue;
        match_init(&m);
        if (!np_after(c, x + 2, &m))
            continue;
        m.cue0 = x;
        m.cue1 = x + 1;
        m.rule = "according-to";
        if (x <= a + 1)
            return emit_reported(c, m.np1 + 1, b, &m, ASY_ATTR_ACCORDING);
        return emit_reported(c, a, x - 1, &m, ASY_ATTR_ACCORDING);
    }
    return 0;
}

/* A finite verb form: "said the council had ignored …" puts a clause,
 * not a speaker, after the cue. */
static int finite_verb(const actx *c, size_t i)
{
    static const char *const V[] = {"has", "had", "have", "is", "was",
                                    "are", "were", "will", "would", "could",
                                    "should", "can", "may", "might", "must",
                                    "does", "did", "do"};
    if (i >= c->nt || c->t[i].kind != TK_WORD || c->t[i].cap)
        return 0;
    for (size_t k = 0; k < sizeof V / sizeof V[0]; k++)
        if (tok_is(c, i, V[k]))
            return 1;
    return 0;
}

/* "…, said X": X is a speaker only when no finite verb follows it, and
 * the words before are content, not "Subject, who/which …," right
 * before the cue (that subject is the speaker of "X said …"). */
static int inverted_ok(const actx *c, size_t a, size_t x, const match *m)
{
    for (size_t y = m->np0 + 1; y <= m->np1 + 1; y++)
        if (finite_verb(c, y))
            return 0;
    size_t y = x - 1; /* the comma opening the clause that ends at x */
    do {
        if (y <= a + 1)
            return 1;
        y--;
    } while (!at_punct(c, y, ','));
    if (!(tok_is(c, y + 1, "who") || tok_is(c, y + 1, "which")))
        return 1;
    match s;
    return !(np_before(c, y, a, &s) && s.np0 == a);
}

/* "…, X said." / "…, said X." at the end of the sentence. */
static int reported_after(actx *c, size_t a, size_t b, size_t x, size_t k)
{
    match m;
    match_init(&m);
    if (np_after(c, x + k, &m) && x > a && at_punct(c, x - 1, ',') &&
        inverted_ok(c, a, x, &m)) {
        m.rule = "content-cue-speaker";
        m.end = m.np1;
    } else if ((match_init(&m), np_before(c, x, a, &m)) && m.np0 > a &&
               (at_punct(c, m.np0 - 1, ',') ||
                c->t[m.np0 - 1].cp == 0x2014)) {
        m.rule = "content-speaker-cue";
        m.end = x + k - 1;
    } else {
        return 0;
    }
    for (size_t y = m.end + 1; y <= b; y++) /* only a short tail may follow */
        if (c->t[y].kind == TK_WORD && (tok_is(c, y, "that") || y > m.end + 8))
            return 0;
    m.cue0 = x;
    m.cue1 = x + k - 1;
    size_t stop = (m.rule[8] == 'c' ? x : m.np0) - 1; /* the comma */
    return emit_reported(c, a, stop - 1, &m, ASY_ATTR_INDIRECT);
}

/* "X said (that) …": content after the cue (and a short object). */
static int reported_before(actx *c, size_t a, size_t b, size_t x, size_t k)
{
    match m;
    match_init(&m);
    if (!np_before(c, x, a, &m))
        return 0;
    m.cue0 = x;
    m.cue1 = x + k - 1;
    m.rule = "speaker-cue-that";
    size_t s = x + k;
    for (size_t y = s; y <= b && y < s + 5; y++) {
        if (tok_is(c, y, "that")) {
            s = y;
            break;
        }
        if (c->t[y].kind == TK_PUNCT && !c->t[y].qmark)
            break;
    }
    if (s > b)
        return 0;
    return emit_reported(c, s, b, &m, ASY_ATTR_INDIRECT);
}

static int sentence_reported(actx *c, size_t a, size_t b)
{
    int r = according(c, a, b);
    if (r != 0)
        return r;
    for (size_t x = a; x <= b; x++) {
        size_t k = cue_at(c, x);
        if (!k)
            continue;
        if ((r = reported_after(c, a, b, x, k)) != 0)
            return r;
        if ((r = reported_before(c, a, b, x, k)) != 0)
            return r;
    }
    return 0;
}

static int pass_reported(actx *c)
{
    for (size_t i = 0; i < c->nt;) {
        size_t b = sent_last(c, i);
        if (!c->busy[c->t[i].sent] && sentence_reported(c, i, b) < 0)
            return -1;
        i = b + 1;
    }
    return 0;
}

/* ===== confidence ====================================================== */

/* The share of each rule's records on PolNeAR train+dev whose span matched
 * a gold attribution (all view, threshold 0.3) with the speaker right
 * (bench/eval_quotes.py; rounded). quote-dash-speaker had no records there:
 * its value is a guess. */
static const struct {
    const char *rule;
    double p;
} PRIORS[] = {
    {"quote-speaker-cue", 0.94},       {"quote-cue-speaker", 0.94},
    {"speaker-cue-colon", 0.84},       {"speaker-cue-quote", 0.54},
    {"colon-previous-sentence", 0.5},  {"floating-previous-speaker", 0.28},
    {"floating-no-speaker", 0.01},     {"quote-dash-speaker", 0.8},
    {"according-to", 0.86},            {"speaker-cue-that", 0.77},
    {"content-speaker-cue", 0.62},     {"content-cue-speaker", 0.18},
};

static double prior(const char *rule)
{
    for (size_t i = 0; rule && i < sizeof PRIORS / sizeof PRIORS[0]; i++)
        if (!strcmp(PRIORS[i].rule, rule))
            return PRIORS[i].p;
    return 0.5;
}

/* ===== driver ========================================================== */

void asy_attrib_opts_init(asy_attrib_opts *o)
{
    memset(o, 0, sizeof *o);
    o->indirect = 1;
    o->floating = 1;
}

const char *asy_attr_type_name(asy_attr_type t)
{
    static const char *const N[] = {"direct", "mixed", "indirect",
                                    "according_to", "floating"};
    return (unsigned)t < 5 ? N[t] : "?";
}

void asy_attrs_free(asy_attrs *r)
{
    if (!r)
        return;
    free(r->a);
    free(r->seg);
    memset(r, 0, sizeof *r);
}

static int split_sentences(actx *c, asy_error *err)
{
    size_t cap = 0;
    if (c->opt.sents) {
        c->sent = (asy_span *)c->opt.sents; /* borrowed, never written */
        c->ns = c->opt.nsent;
        return 0;
    }
    c->own_sent = 1;
    for (size_t p = 0; p < c->np; p++)
        if (asy_sentences_news_range(c->text, c->para[p].start,
                                     c->para[p].end, c->m->ab, &c->sent,
                                     &c->ns, &cap, err) != ASSAY_OK)
            return -1;
    return 0;
}

static int prepare(actx *c, asy_error *err)
{
    if (!c->para) {
        asy_span *p = NULL;
        if (asy_paragraphs(c->text, c->len, &p, &c->np) != 0)
            return -1;
        c->para = c->own_para = p;
    }
    if (c->opt.quotes) {
        c->qs = *c->opt.quotes; /* borrowed */
    } else {
        asy_quote_opts qo;
        asy_quote_opts_init(&qo);
        qo.paras = c->para;
        qo.npara = c->np;
        c->own_qs = 1;
        if (asy_quotes_scan(c->text, c->len, &qo, &c->qs, err) != ASSAY_OK)
            return -1;
    }
    if (split_sentences(c, err) != 0 || tokenize(c) != 0)
        return -1;
    if (c->nt > 0 && c->t[c->nt - 1].e > c->len)
        return -2; /* segments of another text: a caller's bug */
    if (assign_quotes(c) != 0)
        return -1;
    c->busy = calloc(c->ns ? c->ns : 1, 1);
    return c->busy ? 0 : -1;
}

static void release(actx *c)
{
    free(c->t);
    if (c->own_sent)
        free(c->sent);
    free(c->own_para);
    free(c->qt0);
    free(c->qt1);
    free(c->busy);
    free(c->rtok);
    free(c->names);
    if (c->own_qs)
        asy_quotes_free(&c->qs);
}

static int sort_records(actx *c);

/* First token starting at or after byte b (tokens are in text order). */
static size_t tok_from(const actx *c, size_t b)
{
    size_t lo = 0, hi = c->nt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->t[mid].s < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Words and numbers inside each record's parts (speakers.csv sums them). */
static void count_words(actx *c)
{
    asy_attrs *o = c->out;
    for (size_t r = 0; r < o->n; r++) {
        size_t n = 0;
        for (size_t k = o->a[r].seg; k < o->a[r].seg + o->a[r].nseg; k++)
            for (size_t i = tok_from(c, o->seg[k].start);
                 i < c->nt && c->t[i].e <= o->seg[k].end; i++)
                n += c->t[i].kind == TK_WORD || c->t[i].kind == TK_NUM;
        o->a[r].words = n;
    }
}

int asy_attrib_run(const char *text, size_t len, const asy_qmodel *m,
                   const asy_attrib_opts *o, asy_attrs *out, asy_error *err)
{
    actx c;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    c.text = text;
    c.len = len;
    c.m = m;
    c.out = out;
    asy_attrib_opts_init(&c.opt);
    if (o)
        c.opt = *o;
    c.para = (asy_span *)c.opt.paras;
    c.np = c.opt.paras ? c.opt.npara : 0;
    int rc = prepare(&c, err);
    if (rc == -2) {
        release(&c);
        return asy_error_set(err, ASSAY_E_USAGE, "attrib: word segments "
                             "run past the text (%zu bytes); pass the "
                             "segments of this text", len);
    }
    int bad = rc != 0 || pass_direct(&c) != 0;
    c.ndirect = out->n;
    bad = bad || (c.opt.indirect && pass_reported(&c) != 0) ||
              sort_records(&c) != 0 || asy_attrib_coref(&c) != 0;
    if (!bad)
        count_words(&c);
    release(&c);
    if (bad) {
        asy_attrs_free(out);
        return asy_error_set(err, ASSAY_E_NOMEM,
                             "out of memory attributing quotations");
    }
    return ASSAY_OK;
}

/* Direct records [0, nd) and reported ones [nd, n) are each in text
 * order: merge them, moving segments and speaker tokens (c->rtok, which
 * the coreference step reads) along, and drop records below
 * min_confidence. */
static int sort_records(actx *c)
{
    asy_attrs *o = c->out, r;
    memset(&r, 0, sizeof r);
    if (o->n == 0)
        return 0;
    r.a = malloc(o->n * sizeof *r.a);
    r.seg = malloc((o->nseg ? o->nseg : 1) * sizeof *r.seg);
    size_t *rt = malloc(o->n * 2 * sizeof *rt);
    if (!r.a || !r.seg || !rt) {
        asy_attrs_free(&r);
        free(rt);
        return -1;
    }
    for (size_t i = 0, j = c->ndirect; i < c->ndirect || j < o->n;) {
        int left = j >= o->n || (i < c->ndirect &&
                                 o->a[i].start <= o->a[j].start);
        size_t k = left ? i++ : j++;
        asy_attr a = o->a[k];
        if (a.confidence < c->opt.min_confidence)
            continue;
        memcpy(r.seg + r.nseg, o->seg + a.seg, a.nseg * sizeof *r.seg);
        a.seg = r.nseg;
        r.nseg += a.nseg;
        rt[2 * r.n] = c->rtok[2 * k];
        rt[2 * r.n + 1] = c->rtok[2 * k + 1];
        r.a[r.n++] = a;
    }
    asy_attrs_free(o);
    *o = r;
    free(c->rtok);
    c->rtok = rt;
    return 0;
}

/*
 * entity.h — capitalised multi-word names ("Belt and Road" is not one;
 * "Bank of China", "Kassym-Jomart Tokayev", "Leonardo da Vinci" are): runs
 * of words whose first letter is upper or title case, joined by single
 * spaces or hyphens and by the connectors of, de, da, di, du, del, della,
 * der, den, des, van, von, la, le, al, bin, ibn, y (and "the" right after
 * another connector: "Bank of the West"). A possessive 's / ’s is dropped.
 *
 * A capitalised word that opens a sentence starts a name only if the same
 * word occurs capitalised inside a sentence elsewhere in the document
 * ("Kazakhstan signed ..." counts when "... with Kazakhstan" occurs; "The
 * United Nations" gives "United Nations").
 */
#ifndef ASY_ENTITY_H
#define ASY_ENTITY_H

#include "counter.h"
#include "ngram.h"

/* Count the names of one document with at least min_words words into
 * counts (+1 per occurrence) and docs (+1 per distinct name; may be NULL).
 * ws must be built from text WITHOUT ASY_WS_LOWER and with the
 * document's sentences. Returns the number of names found, -1 on OOM. */
long asy_entities_count(const char *text, const asy_wordstream *ws,
                        int min_words, asy_counter *counts,
                        asy_counter *docs);

#endif

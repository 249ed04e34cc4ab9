/* lexstate.h — the state the lexer (lexer.l) shares with the parser (parser.y):
 * where it is, the stack of open brackets, and what the error heuristics need. */
#ifndef AEDL_LEXSTATE_H
#define AEDL_LEXSTATE_H
#include <stddef.h>
#include "src.h"

#define LEX_MAX_DEPTH 256      /* brackets nested deeper are an error */

typedef struct { char ch; Loc loc; } LexOpen;

typedef struct LexState {
    int file;                  /* source id */
    uint32_t offset;           /* byte offset of the next token */
    LexOpen open[LEX_MAX_DEPTH];   /* open ( [ { innermost last */
    int depth;
    LexOpen unclosed;          /* an opener closed by force by the current token */
    int has_unclosed;
    int at_line_start;         /* no token yet on the current line */
    int first_on_line;         /* the current token is the first on its line */
    Loc last_real, prev_real;  /* the last token that is not a newline, and the one before */
    Loc last_error;            /* the last lexical error (no syntax error on its line) */
    int too_deep;              /* nesting limit hit: the lexer returns end of file */
} LexState;

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
int lex_utf8_len(const unsigned char *s, size_t n);

#endif

/* json.c — recursive-descent JSON reader (see json.h).  Depth is limited so
 * that a hostile file cannot exhaust the stack. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "util.h"

#define MAX_DEPTH 64

typedef struct {
    const char *s, *p;
    char *err; size_t errlen;
    int failed;
} parser;

static void fail(parser *P, const char *fmt, ...) {
    if (P->failed) return;
    P->failed = 1;
    int line = 1;
    for (const char *q = P->s; q < P->p; q++) line += *q == '\n';
    int n = snprintf(P->err, P->errlen, "line %d: ", line);
    if (n < 0 || (size_t)n >= P->errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->err + n, P->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static void skip_ws(parser *P) {
    while (*P->p == ' ' || *P->p == '\t' || *P->p == '\n' || *P->p == '\r') P->p++;
}

static json *new_node(json_kind k) {
    json *j = xcalloc(1, sizeof *j);
    j->kind = k;
    return j;
}

static void push(json *j, json *item, char *key) {
    if ((j->n & (j->n - 1)) == 0) {             /* grow at 0, 1, 2, 4, 8, ... */
        size_t cap = j->n ? 2 * (size_t)j->n : 1;
        j->items = xrealloc(j->items, cap * sizeof *j->items);
        if (j->kind == JSON_OBJ) j->keys = xrealloc(j->keys, cap * sizeof *j->keys);
    }
    j->items[j->n] = item;
    if (j->kind == JSON_OBJ) j->keys[j->n] = key;
    j->n++;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A string at P->p (the opening quote); UTF-8 out, \u escapes encoded. */
static char *parse_string(parser *P) {
    P->p++;
    size_t cap = 32, n = 0;
    char *b = xmalloc(cap);
    for (;;) {
        if (cap - n < 8) { cap *= 2; b = xrealloc(b, cap); }
        unsigned char c = (unsigned char)*P->p;
        if (c == '"') { P->p++; break; }
        if (c == 0 || c < 0x20) { fail(P, "unterminated string"); free(b); return NULL; }
        if (c != '\\') { b[n++] = (char)c; P->p++; continue; }
        P->p++;
        char e = *P->p++;
        switch (e) {
        case '"': case '\\': case '/': b[n++] = e; break;
        case 'b': b[n++] = '\b'; break;
        case 'f': b[n++] = '\f'; break;
        case 'n': b[n++] = '\n'; break;
        case 'r': b[n++] = '\r'; break;
        case 't': b[n++] = '\t'; break;
        case 'u': {
            unsigned u = 0;
            for (int i = 0; i < 4; i++) {
                int h = hexval(P->p[i]);
                if (h < 0) { fail(P, "bad \\u escape"); free(b); return NULL; }
                u = u * 16 + (unsigned)h;
            }
            P->p += 4;
            if (u < 0x80) b[n++] = (char)u;
            else if (u < 0x800) { b[n++] = (char)(0xc0 | u >> 6); b[n++] = (char)(0x80 | (u & 0x3f)); }
            else {
                b[n++] = (char)(0xe0 | u >> 12);
                b[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
                b[n++] = (char)(0x80 | (u & 0x3f));
            }
            break;
        }
        default: fail(P, "bad escape '\\%c'", e); free(b); return NULL;
        }
    }
    b[n] = 0;
    return b;
}

static json *parse_value(parser *P, int depth);

static json *parse_container(parser *P, int depth, int is_obj) {
    json *j = new_node(is_obj ? JSON_OBJ : JSON_ARR);
    char close = is_obj ? '}' : ']';
    P->p++;
    skip_ws(P);
    if (*P->p == close) { P->p++; return j; }
    for (;;) {
        char *key = NULL;
        skip_ws(P);
        if (is_obj) {
            if (*P->p != '"') { fail(P, "expected a string key"); break; }
            key = parse_string(P);
            if (!key) break;
            skip_ws(P);
            if (*P->p != ':') { fail(P, "expected ':' after key \"%s\"", key); free(key); break; }
            P->p++;
        }
        json *v = parse_value(P, depth + 1);
        if (!v) { free(key); break; }
        push(j, v, key);
        skip_ws(P);
        if (*P->p == ',') { P->p++; continue; }
        if (*P->p == close) { P->p++; return j; }
        fail(P, "expected ',' or '%c'", close);
        break;
    }
    json_free(j);
    return NULL;
}

static json *parse_value(parser *P, int depth) {
    if (depth > MAX_DEPTH) { fail(P, "nested deeper than %d", MAX_DEPTH); return NULL; }
    skip_ws(P);
    char c = *P->p;
    if (c == '{' || c == '[') return parse_container(P, depth, c == '{');
    if (c == '"') {
        char *s = parse_string(P);
        if (!s) return NULL;
        json *j = new_node(JSON_STR);
        j->str = s;
        return j;
    }
    static const struct { const char *w; json_kind k; double v; } words[] = {
        { "null", JSON_NULL, 0 }, { "true", JSON_BOOL, 1 }, { "false", JSON_BOOL, 0 },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strncmp(P->p, words[i].w, strlen(words[i].w))) {
            P->p += strlen(words[i].w);
            json *j = new_node(words[i].k);
            j->num = words[i].v;
            return j;
        }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char *end;
        errno = 0;
        double v = strtod(P->p, &end);
        if (end == P->p) { fail(P, "bad number"); return NULL; }
        P->p = end;
        json *j = new_node(JSON_NUM);
        j->num = v;
        return j;
    }
    if (c == 0) fail(P, "unexpected end of the file");
    else fail(P, "unexpected character '%c'", c);
    return NULL;
}

json *json_parse(const char *text, char *err, size_t errlen) {
    parser P = { text, text, err, errlen, 0 };
    if (errlen) err[0] = 0;
    json *j = parse_value(&P, 0);
    if (!j) return NULL;
    skip_ws(&P);
    if (*P.p) {
        fail(&P, "text after the end of the document");
        json_free(j);
        return NULL;
    }
    return j;
}

json *json_parse_file(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return NULL; }
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (cap - n < 4096) { cap *= 2; buf = xrealloc(buf, cap); }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { snprintf(err, errlen, "%s: read error", path); free(buf); return NULL; }
    buf[n] = 0;
    if (strlen(buf) != n) { snprintf(err, errlen, "%s: not a text file", path); free(buf); return NULL; }
    char e[512];
    json *j = json_parse(buf, e, sizeof e);
    free(buf);
    if (!j) snprintf(err, errlen, "%s: %s", path, e);
    return j;
}

void json_free(json *j) {
    if (!j) return;
    for (int i = 0; i < j->n; i++) {
        json_free(j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
    free(j);
}

const json *json_get(const json *obj, const char *key) {
    if (!obj || obj->kind != JSON_OBJ) return NULL;
    for (int i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key)) return obj->items[i];
    return NULL;
}

const json *json_at(const json *arr, int i) {
    if (!arr || arr->kind != JSON_ARR || i < 0 || i >= arr->n) return NULL;
    return arr->items[i];
}

const json *json_path(const json *j, ...) {
    va_list ap;
    va_start(ap, j);
    const char *k;
    while (j && (k = va_arg(ap, const char *)) != NULL) j = json_get(j, k);
    va_end(ap);
    return j;
}

double json_num(const json *j, double dflt) {
    return j && (j->kind == JSON_NUM || j->kind == JSON_BOOL) ? j->num : dflt;
}

const char *json_str(const json *j, const char *dflt) {
    return j && j->kind == JSON_STR ? j->str : dflt;
}

int json_len(const json *j) {
    return j && (j->kind == JSON_ARR || j->kind == JSON_OBJ) ? j->n : 0;
}

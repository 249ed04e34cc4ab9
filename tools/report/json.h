/* json.h — a small JSON reader for aedl-report: summary.json and
 * precision.json, written by the project itself, parsed into a tree.
 *
 *   json *j = json_parse_file("out/ae/eval/summary.json", err, sizeof err);
 *   double auc = json_num(json_path(j, "signals", "Ato4l", "quantized", "auc", NULL), NAN);
 *   json_free(j);
 *
 * Lookups never fail: a missing key, a wrong kind or a NULL node gives NULL,
 * and the accessors return their default for NULL. */
#ifndef AEDL_REPORT_JSON_H
#define AEDL_REPORT_JSON_H
#include <stddef.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } json_kind;

typedef struct json {
    json_kind kind;
    double num;                 /* JSON_NUM; JSON_BOOL: 0 or 1 */
    char *str;                  /* JSON_STR */
    int n;                      /* JSON_ARR, JSON_OBJ: items */
    struct json **items;        /* (n) */
    char **keys;                /* JSON_OBJ: (n) */
} json;

/* Parses a whole document; NULL with a message "line L: ..." in err on error. */
json *json_parse(const char *text, char *err, size_t errlen);
/* Reads and parses PATH; NULL with "PATH: ..." in err. */
json *json_parse_file(const char *path, char *err, size_t errlen);
void json_free(json *j);

const json *json_get(const json *obj, const char *key);     /* object member */
const json *json_at(const json *arr, int i);                /* array item */
/* Follows object keys; the list ends with NULL. */
const json *json_path(const json *j, ...);
double json_num(const json *j, double dflt);                /* number (or bool) */
const char *json_str(const json *j, const char *dflt);      /* string */
int json_len(const json *j);                                /* items of an array or object; 0 */

#endif

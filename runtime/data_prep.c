/* data_prep.c — the data block's per-feature preprocessing rules (transform, scale =
 * standard(...)) turned into a scaler (data_scale.c), and the names of the features: the
 * data block's `names`, HDF5 "<dataset>_Names" (ADC2021's Particles_Names) or
 * "<dataset>_names" (aedl-gen's jets_names), or the CSV header. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data_src.h"
#include "util.h"

void aedl_names_free(char **names, size_t n) {
    if (!names) return;
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static char *dup_trim(const char *s, size_t n) {
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') { s++; n -= 2; }
    char *r = xmalloc(n + 1);
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

/* The CSV header's fields (the loader's rule: a first line none of whose fields is a number). */
static int csv_names(const char *path, char ***out, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char line[8192];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) p += 3;
        char *q = p;
        while (*q == ' ' || *q == '\t') q++;
        if (*q == '#' || *q == '\n' || *q == '\r' || *q == 0) continue;
        found = 1;
        p = q;
        break;
    }
    fclose(f);
    if (!found) return 0;
    char *p = line;
    if ((unsigned char)p[0] == 0xEF) p += 3;
    size_t cap = 8, k = 0;
    char **names = xmalloc(cap * sizeof *names);
    int numeric = 0;
    while (*p && *p != '\n' && *p != '\r') {
        size_t len = strcspn(p, ",; \t\r\n");
        if (len == 0) { p++; continue; }
        char *nm = dup_trim(p, len);
        char *end;
        strtod(nm, &end);
        if (end != nm && *end == 0) numeric = 1;
        if (k == cap) names = xrealloc(names, (cap *= 2) * sizeof *names);
        names[k++] = nm;
        p += len;
    }
    if (numeric || k == 0) { aedl_names_free(names, k); return 0; }
    *out = names;
    *n = k;
    return 0;
}

/* A 1-D dataset of strings (fixed-length or variable-length) of f; NULL when there is
   none or it is not one (names are optional: a link that leads nowhere or to another
   file is passed over). */
char **aedl_h5_strings(hid_t f, const char *nm, size_t *n) {
    hid_t ds = -1, ty = -1, sp = -1;
    char **names = NULL;
    hsize_t dim = 0;
    char lerr[600];
    if (H5Lexists(f, nm, H5P_DEFAULT) <= 0 || aedl_h5_link_problem(f, nm, lerr, sizeof lerr) != 0 ||
        H5Oexists_by_name(f, nm, H5P_DEFAULT) <= 0)
        goto done;
    ds = H5Dopen2(f, nm, H5P_DEFAULT);
    if (ds < 0) goto done;
    ty = H5Dget_type(ds);
    sp = H5Dget_space(ds);
    if (H5Tget_class(ty) != H5T_STRING || H5Sget_simple_extent_ndims(sp) != 1) goto done;
    H5Sget_simple_extent_dims(sp, &dim, NULL);
    if (dim == 0 || dim > 100000) goto done;
    if (H5Tis_variable_str(ty) > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        char **v = xcalloc((size_t)dim, sizeof *v);
        if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
            names = xcalloc((size_t)dim, sizeof *names);
            for (size_t i = 0; i < dim; i++) names[i] = dup_trim(v[i] ? v[i] : "", v[i] ? strlen(v[i]) : 0);
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, v);
        }
        free(v);
        H5Tclose(mt);
    } else {
        size_t w = H5Tget_size(ty);
        if (w == 0 || w > 4096) goto done;
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, w);
        H5Tset_strpad(mt, H5T_STR_NULLPAD);
        char *buf = xcalloc((size_t)dim, w);
        if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
            names = xcalloc((size_t)dim, sizeof *names);
            for (size_t i = 0; i < dim; i++) names[i] = dup_trim(buf + i * w, strnlen(buf + i * w, w));
        }
        free(buf);
        H5Tclose(mt);
    }
done:
    if (sp >= 0) H5Sclose(sp);
    if (ty >= 0) H5Tclose(ty);
    if (ds >= 0) H5Dclose(ds);
    *n = names ? (size_t)dim : 0;
    return names;
}

static int h5_names(const char *path, const char *dataset, char ***out, size_t *n) {
    char nm[1024];
    h5_quiet q;
    h5_quiet_begin(&q);
    hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (f >= 0) {
        /* ADC2021's Particles_Names, or aedl-gen's jets_names */
        snprintf(nm, sizeof nm, "%s_Names", dataset);
        if (H5Lexists(f, nm, H5P_DEFAULT) <= 0) snprintf(nm, sizeof nm, "%s_names", dataset);
        *out = aedl_h5_strings(f, nm, n);
        H5Fclose(f);
    }
    h5_quiet_end(&q);
    return 0;
}

int aedl_data_names(const aedl_data_spec *spec, char ***names, size_t *n, char *err, size_t errlen) {
    *names = NULL;
    *n = 0;
    char **all = NULL;
    size_t na = 0;
    char why[200];
    if (aedl_file_problem(spec->path, why, sizeof why)) return data_err(err, errlen, "%s: %s", spec->path, why);
    if (spec->kind == AEDL_SRC_CSV) csv_names(spec->path, &all, &na);
    else h5_names(spec->path, spec->dataset, &all, &na);
    if (!all) return 0;
    if (!spec->features || spec->nfeatures == 0) {
        *names = all;
        *n = na;
        return 0;
    }
    char **sel = xcalloc(spec->nfeatures, sizeof *sel);
    for (size_t i = 0; i < spec->nfeatures; i++) {
        if (spec->features[i] < 0 || (size_t)spec->features[i] >= na) {   /* names of another axis */
            aedl_names_free(sel, spec->nfeatures);
            aedl_names_free(all, na);
            return 0;
        }
        sel[i] = xstrdup(all[spec->features[i]]);
    }
    aedl_names_free(all, na);
    *names = sel;
    *n = spec->nfeatures;
    return 0;
}

static const char *op_name(aedl_prep_op op) {
    return op == AEDL_PREP_LOG10 ? "log10" : op == AEDL_PREP_AFFINE ? "affine" : "standard";
}

static void list_names(char *buf, size_t len, const char *const *names, size_t n) {
    size_t u = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && u + 1 < len; i++) {
        int w = snprintf(buf + u, len - u, "%s%s", i ? ", " : "", names[i]);
        if (w < 0) break;
        u += (size_t)w;
    }
}

int aedl_prep_build(aedl_scaler *s, size_t d, const aedl_prep_rule *rules, int nrules, int standard_all,
                    const char *const *names, size_t nnames, const char *source, char *err, size_t errlen) {
    aedl_scaler_identity(s, d);
    if (nnames && d % nnames == 0) {
        s->names = xcalloc(d ? d : 1, sizeof *s->names);
        for (size_t j = 0; j < d; j++) {
            char b[256];
            if (d == nnames) snprintf(b, sizeof b, "%s", names[j]);
            else snprintf(b, sizeof b, "%s[%zu]", names[j % nnames], j / nnames);
            s->names[j] = xstrdup(b);
        }
    }
    if (standard_all) memset(s->fit, 1, d);
    uint8_t *affine = xcalloc(d ? d : 1, 1);
    int rc = 0;
    for (int r = 0; r < nrules && !rc; r++) {
        const aedl_prep_rule *p = &rules[r];
        if (p->op == AEDL_PREP_SIGNED) continue;
        size_t var = 0, nobj = 1;
        if (p->var) {
            size_t k = 0;
            while (k < nnames && strcmp(names[k], p->var) != 0) k++;
            if (k == nnames) {
                char known[512];
                list_names(known, sizeof known, names, nnames);
                rc = nnames ? data_err(err, errlen, "%s: %s at %s: no variable '%s' among the names of the data (%s)",
                                       source, op_name(p->op), p->where, p->var, known)
                            : data_err(err, errlen, "%s: %s at %s: the variable '%s' needs names, and the data "
                                       "give none: add `names = [...]` to the data block", source, op_name(p->op),
                                       p->where, p->var);
                break;
            }
            if (d % nnames != 0) {
                rc = data_err(err, errlen, "%s: %zu names do not divide the %zu features into objects",
                              source, nnames, d);
                break;
            }
            var = k;
            nobj = d / nnames;
        }
        int count = p->var && p->nindex == 0 ? (int)nobj : p->nindex;
        for (int i = 0; i < count && !rc; i++) {
            size_t j;
            if (p->var) {
                size_t o = p->nindex ? (size_t)p->index[i] : (size_t)i;
                if (o >= nobj) {
                    rc = data_err(err, errlen, "%s: %s at %s: object %zu of '%s' is out of range (%zu objects)",
                                  source, op_name(p->op), p->where, o, p->var, nobj);
                    break;
                }
                j = o * nnames + var;
            } else {
                j = (size_t)p->index[i];
                if (j >= d) {
                    rc = data_err(err, errlen, "%s: %s at %s: feature index %zu is out of range (%zu features)",
                                  source, op_name(p->op), p->where, j, d);
                    break;
                }
            }
            if (p->op == AEDL_PREP_STANDARD) { s->fit[j] = 1; continue; }
            if (p->op == AEDL_PREP_LOG10) {
                if (s->log10[j] || affine[j]) {
                    rc = data_err(err, errlen, "%s: log10 at %s: feature %zu%s%s%s already has %s", source, p->where, j,
                                  s->names ? " (" : "", s->names ? s->names[j] : "", s->names ? ")" : "",
                                  s->log10[j] ? "a log10" : "an affine map (write log10 first: log10, then affine)");
                    break;
                }
                s->log10[j] = 1;
                s->where[j] = p->where;
            } else {
                if (affine[j]) {
                    rc = data_err(err, errlen, "%s: affine at %s: feature %zu%s%s%s already has an affine map",
                                  source, p->where, j, s->names ? " (" : "", s->names ? s->names[j] : "",
                                  s->names ? ")" : "");
                    break;
                }
                affine[j] = 1;
                s->offset[j] = (float)p->a;
                s->divisor[j] = (float)p->b;
            }
        }
    }
    free(affine);
    if (rc) aedl_scaler_free(s);
    return rc;
}

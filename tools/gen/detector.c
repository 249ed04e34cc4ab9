/* detector.c — from truth particles to the reconstructed event: tau decays,
 * fragmentation of partons into jets (with leptons from semileptonic b decays and
 * fakes), pileup jets, detector smearing, efficiencies, acceptance and thresholds,
 * missing transverse momentum; then the ADC2021 row layout and the lepton filter. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gen.h"

#define PI 3.14159265358979323846
#define PILEUP_JETS 0.5          /* mean pileup jets per event above ~8 GeV (PU 20) */

/* ---- tau decays (collinear: products along the tau) ---- */
/* Leptonic: visible energy fraction x with density (5 - 9x^2 + 4x^3)/3 on [0, 1]. */
static double tau_lep_fraction(aedl_rng *r) {
    for (;;) {
        double x = aedl_rng_uniform(r), f = (5 - 9 * x * x + 4 * x * x * x) / 3;
        if (aedl_rng_uniform(r) * (5.0 / 3.0) < f) return x;
    }
}

static void tau_decay(aedl_rng *r, p4 tau, truth *out) {
    double u = aedl_rng_uniform(r), x;
    int kind;
    if (u < 0.178) { kind = T_ELE; x = tau_lep_fraction(r); }
    else if (u < 0.352) { kind = T_MU; x = tau_lep_fraction(r); }
    else {
        double v = aedl_rng_uniform(r);              /* hadronic: pi, rho, a1-like */
        kind = T_TAUJET;
        x = v < 0.17 ? aedl_rng_uniform(r) : v < 0.56 ? rand_range(r, 0.19, 1.0) : rand_range(r, 0.35, 1.0);
    }
    if (x < 1e-3) x = 1e-3;
    truth_add(out, kind, p4_scale(tau, x));
    truth_add(out, T_NU, p4_scale(tau, 1 - x));
}

/* ---- fragmentation: a lepton source inside a parton ---- */
static void fragment(aedl_rng *r, tpart q, truth *out) {
    int src = q.src;
    if (src == SRC_NONE) {                            /* the ordinary rates */
        double u = aedl_rng_uniform(r);
        if (q.kind == T_BQUARK) src = u < 0.1 ? SRC_SEMILEP_E : u < 0.2 ? SRC_SEMILEP_MU : SRC_NONE;
        else src = u < 0.01 ? SRC_FAKE_EG : u < 0.012 ? SRC_FAKE_MU : SRC_NONE;
    }
    double z = 0, znu = 0;
    int lep = -1;
    switch (src) {
    case SRC_SEMILEP_E: case SRC_SEMILEP_MU:
        lep = src == SRC_SEMILEP_E ? T_ELE : T_MU;
        z = 0.05 + 0.85 * pow(aedl_rng_uniform(r), 1.3);
        znu = 0.3 * z;
        break;
    case SRC_FAKE_EG:                                 /* a hard pi0 / photon taken as e/gamma */
        lep = T_ELE; z = rand_range(r, 0.3, 0.9);
        break;
    case SRC_FAKE_MU:                                 /* pi/K decay in flight, punch-through */
        lep = T_MU; z = rand_range(r, 0.1, 0.6); znu = 0.2 * z;
        break;
    default: break;
    }
    if (lep >= 0) {
        truth_add(out, lep, p4_scale(q.p, z));
        if (znu > 0) truth_add(out, T_NU, p4_scale(q.p, znu));
    }
    double keep = 1 - z - znu;
    if (keep > 0.02) truth_add(out, q.kind, p4_scale(q.p, keep));
}

/* ---- detector response ---- */
static double rel_resolution(int kind, double pt) {
    switch (kind) {
    case T_ELE: return sqrt(0.02 * 0.02 + 0.0225 / pt);
    case T_MU: return sqrt(0.015 * 0.015 + (2e-4 * pt) * (2e-4 * pt));
    case T_TAUJET: return sqrt(0.05 * 0.05 + 0.5 / pt);
    default: return sqrt(0.06 * 0.06 + 1.0 / pt + 16.0 / (pt * pt));   /* jets */
    }
}

static double ang_resolution(int kind) {
    return kind == T_ELE ? 0.01 : kind == T_MU ? 0.005 : kind == T_TAUJET ? 0.02 : 0.04;
}

static int cmp_pt(const void *a, const void *b) {
    float x = ((const reco_obj *)a)->pt, y = ((const reco_obj *)b)->pt;
    return (x < y) - (x > y);
}

static void push(reco_obj *list, int *n, double pt, double eta, double phi, double m) {
    if (*n >= RECO_MAX) return;
    double pz = pt * sinh(eta);
    list[*n] = (reco_obj){ (float)pt, (float)eta, (float)phi, (float)sqrt(pt * pt + pz * pz + m * m) };
    (*n)++;
}

/* Tau decays, fragmentation and pileup: the final state that the detector sees. */
static void final_state(aedl_rng *r, const truth *t, truth *vis) {
    vis->n = 0;
    for (int i = 0; i < t->n; i++) {
        tpart q = t->p[i];
        if (q.kind == T_TAU) tau_decay(r, q.p, vis);
        else if (q.kind == T_QUARK || q.kind == T_BQUARK) fragment(r, q, vis);
        else truth_add(vis, q.kind, q.p);
    }
    int npu = rand_poisson(r, PILEUP_JETS);
    for (int i = 0; i < npu; i++)
        truth_add(vis, T_PILEUP, p4_ptetaphim(8.0 + rand_exp(r, 8.0), rand_range(r, -4.7, 4.7),
                                              rand_range(r, -PI, PI), 0));
}

/* Can the event pass the lepton filter at all?  A lepton below 23/1.3 GeV would need
   a +30% mismeasurement (over 7 standard deviations): such events are skipped before
   the (costlier) detector simulation. */
static int may_pass_filter(const truth *vis) {
    for (int i = 0; i < vis->n; i++)
        if ((vis->p[i].kind == T_ELE || vis->p[i].kind == T_MU) && p4_pt(vis->p[i].p) > LEP_FILTER_PT / 1.3)
            return 1;
    return 0;
}

/* Detector response, acceptance, efficiencies and MET; objects pT-ordered. */
static void reconstruct(aedl_rng *r, const truth *vis, reco_event *ev) {
    memset(ev, 0, sizeof *ev);
    /* Missing pT = neutrinos + what escapes the detector + mismeasurement + noise from
       the unclustered energy (underlying event and pileup). */
    double mx = 0, my = 0, sumet = 120.0 + 25.0 * fabs(aedl_rng_normal(r));
    for (int i = 0; i < vis->n; i++) {
        tpart v = vis->p[i];
        if (v.kind == T_NU) { mx += v.p.px; my += v.p.py; continue; }
        double pt = p4_pt(v.p), eta = p4_eta(v.p), phi = p4_phi(v.p);
        if (fabs(eta) > 5.0 || pt < 0.5) { mx += v.p.px; my += v.p.py; continue; }
        int rk = v.kind == T_BQUARK || v.kind == T_PILEUP ? T_QUARK : v.kind;
        double rpt = pt * (1 + rel_resolution(rk, pt) * aedl_rng_normal(r));
        if (rpt < 0.1) rpt = 0.1;
        double reta = eta + ang_resolution(rk) * aedl_rng_normal(r);
        double rphi = wrap_phi(phi + ang_resolution(rk) * aedl_rng_normal(r));
        mx += pt * cos(phi) - rpt * cos(rphi);
        my += pt * sin(phi) - rpt * sin(rphi);
        sumet += rpt;
        double ae = fabs(reta), u = aedl_rng_uniform(r);
        if (v.kind == T_ELE) {
            if (ae < ETA_MAX_ELE && rpt > PT_MIN_LEP && u < (ae < 1.5 ? 0.90 : 0.80))
                push(ev->ele, &ev->ne, rpt, reta, rphi, 0);
        } else if (v.kind == T_MU) {
            if (ae < ETA_MAX_MU && rpt > PT_MIN_LEP && u < 0.95)
                push(ev->mu, &ev->nm, rpt, reta, rphi, 0);
        } else if (ae < ETA_MAX_JET && rpt > PT_MIN_JET) {
            double m = v.kind == T_TAUJET ? rand_range(r, 0.14, 1.5)
                     : rpt * (v.kind == T_BQUARK ? 0.13 : 0.10) * exp(0.35 * aedl_rng_normal(r));
            push(ev->jet, &ev->nj, rpt, reta, rphi, m);
        }
    }
    double sigma = 0.6 * sqrt(sumet);
    mx += sigma * aedl_rng_normal(r);
    my += sigma * aedl_rng_normal(r);
    ev->met = (float)hypot(mx, my);
    ev->met_phi = (float)wrap_phi(atan2(my, mx));
    qsort(ev->ele, (size_t)ev->ne, sizeof(reco_obj), cmp_pt);
    qsort(ev->mu, (size_t)ev->nm, sizeof(reco_obj), cmp_pt);
    qsort(ev->jet, (size_t)ev->nj, sizeof(reco_obj), cmp_pt);
}

void detector_event(aedl_rng *r, const truth *t, reco_event *ev) {
    truth vis;
    final_state(r, t, &vis);
    reconstruct(r, &vis, ev);
}

int passes_lepton_filter(const reco_event *ev) {
    return (ev->ne > 0 && ev->ele[0].pt > LEP_FILTER_PT) || (ev->nm > 0 && ev->mu[0].pt > LEP_FILTER_PT);
}

static void pack_rows(float out[ADC_ROWS][ADC_COLS], int row0, int max, const reco_obj *o, int n, float cls) {
    for (int i = 0; i < n && i < max; i++) {
        out[row0 + i][0] = o[i].pt;
        out[row0 + i][1] = o[i].eta;
        out[row0 + i][2] = o[i].phi;
        out[row0 + i][3] = cls;
    }
}

void adc_pack(const reco_event *ev, float out[ADC_ROWS][ADC_COLS]) {
    memset(out, 0, sizeof(float) * ADC_ROWS * ADC_COLS);
    out[ADC_MET][0] = ev->met;
    out[ADC_MET][1] = 0.0f;                            /* MET has no eta */
    out[ADC_MET][2] = ev->met_phi;
    out[ADC_MET][3] = 1.0f;
    pack_rows(out, ADC_ELE, N_ELE, ev->ele, ev->ne, 2.0f);
    pack_rows(out, ADC_MU, N_MU, ev->mu, ev->nm, 3.0f);
    pack_rows(out, ADC_JET, N_JET, ev->jet, ev->nj, 4.0f);
}

/* Background composition after the lepton filter (ADC2021). */
static const struct { gen_process p; double frac; } cocktail[] = {
    { P_W, 0.592 }, { P_QCD, 0.338 }, { P_Z, 0.067 }, { P_TTBAR, 0.003 },
};

long gen_event(aedl_rng *r, gen_process p, reco_event *ev, gen_process *component) {
    if (p == P_BACKGROUND) {
        double u = aedl_rng_uniform(r), c = 0;
        p = P_TTBAR;
        for (size_t i = 0; i < sizeof cocktail / sizeof cocktail[0]; i++) {
            c += cocktail[i].frac;
            if (u < c) { p = cocktail[i].p; break; }
        }
    }
    if (component) *component = p;
    truth t, vis;
    for (long tries = 1;; tries++) {
        physics_event(r, p, &t);
        final_state(r, &t, &vis);
        if (!may_pass_filter(&vis)) continue;
        reconstruct(r, &vis, ev);
        if (passes_lepton_filter(ev)) return tries;
    }
}

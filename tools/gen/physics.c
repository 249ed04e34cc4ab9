/* physics.c — hard processes at 13 TeV as truth particles.  Each process draws a
 * system (resonance or parton pair) with a mass, a transverse momentum (recoil
 * against initial-state radiation), a rapidity and an azimuth, decays it with
 * two-body decays, and adds ISR partons that balance the system's pT.  Taus stay
 * taus here; detector.c decays them.  See docs/data.md for the numbers. */
#include <math.h>
#include <strings.h>
#include "gen.h"

#define PI 3.14159265358979323846
#define M_E_  0.000511
#define M_MU  0.1057
#define M_TAU 1.777
#define M_B   4.8
#define M_W   80.38
#define G_W   2.09
#define M_Z   91.19
#define G_Z   2.50
#define M_TOP 172.5
#define G_TOP 1.4

const gen_process_info gen_processes[P_COUNT] = {
    [P_W]          = { "W", "W_lnu.h5", "W -> l nu (l = e, mu, tau), with ISR recoil" },
    [P_QCD]        = { "QCD", "QCD_multijet.h5", "lepton-enriched QCD multijet (b -> l, fakes)" },
    [P_Z]          = { "Z", "Z_ll.h5", "Z -> l l (l = e, mu, tau), with ISR recoil" },
    [P_TTBAR]      = { "ttbar", "ttbar.h5", "t tbar -> W b W b, all W decays" },
    [P_BACKGROUND] = { "background", "background_for_training.h5",
                       "the cocktail: W 59.2%, QCD 33.8%, Z 6.7%, ttbar 0.3%" },
    [P_ATO4L]      = { "Ato4l", "Ato4l_lepFilter_13TeV.h5", "A (50 GeV) -> Z* Z* -> 4 l" },
    [P_LQ]         = { "leptoquark", "leptoquark_LOWMASS_lepFilter_13TeV.h5",
                       "g b -> LQ tau, LQ (80 GeV) -> b tau" },
    [P_HTAUTAU]    = { "hToTauTau", "hToTauTau_13TeV_PU20.h5", "h0 (60 GeV) -> tau tau" },
    [P_HCHTAUNU]   = { "hChToTauNu", "hChToTauNu_13TeV_PU20.h5",
                       "t tbar, t -> h+ b, h+ (60 GeV) -> tau nu" },
};

int gen_process_by_name(const char *name) {
    for (int i = 0; i < P_COUNT; i++)
        if (gen_processes[i].name && !strcasecmp(name, gen_processes[i].name)) return i;
    return -1;
}

void truth_add(truth *t, int kind, p4 p) {
    if (t->n >= TRUTH_MAX) return;
    t->p[t->n].p = p;
    t->p[t->n].kind = kind;
    t->p[t->n].src = SRC_NONE;
    t->n++;
}

static double rand_rapidity(aedl_rng *r, double sigma) {
    double y = sigma * aedl_rng_normal(r);
    return y > 4.5 ? 4.5 : y < -4.5 ? -4.5 : y;
}

static double rand_phi(aedl_rng *r) { return rand_range(r, -PI, PI); }

/* ISR partons balancing a system of transverse momentum (px, py): below ~10 GeV the
   recoil is soft (unclustered); above, one or two jets take it. */
static void add_recoil(aedl_rng *r, truth *t, double px, double py) {
    double pt = hypot(px, py);
    if (pt < 10.0) return;
    double rx = -px, ry = -py;
    if (pt > 30.0 && aedl_rng_uniform(r) < 0.35) {          /* a second ISR jet */
        double f = rand_range(r, 0.2, 0.5), ph = atan2(ry, rx) + 1.2 * aedl_rng_normal(r);
        double qx = f * pt * cos(ph), qy = f * pt * sin(ph);
        truth_add(t, T_QUARK, p4_ptetaphim(f * pt, rand_rapidity(r, 2.2), ph, 0));
        rx -= qx;
        ry -= qy;
    }
    truth_add(t, T_QUARK, p4_ptetaphim(hypot(rx, ry), rand_rapidity(r, 2.2), atan2(ry, rx), 0));
}

static double lepton_mass(int kind) { return kind == T_ELE ? M_E_ : kind == T_MU ? M_MU : M_TAU; }
static int rand_lepton(aedl_rng *r) { double u = aedl_rng_uniform(r); return u < 1.0 / 3 ? T_ELE : u < 2.0 / 3 ? T_MU : T_TAU; }

/* W -> l nu or q q' (had = 1 allows hadronic decays with their branching ratio). */
static void decay_w(aedl_rng *r, truth *t, p4 w, int had) {
    p4 a, b;
    if (had && aedl_rng_uniform(r) < 0.676) {
        decay2(r, w, 0, 0, &a, &b);
        truth_add(t, T_QUARK, a);
        truth_add(t, T_QUARK, b);
        return;
    }
    int l = rand_lepton(r);
    decay2(r, w, lepton_mass(l), 0, &a, &b);
    truth_add(t, l, a);
    truth_add(t, T_NU, b);
}

/* t -> W b (or H+ b with mass mh, H+ -> tau nu). */
static void decay_top(aedl_rng *r, truth *t, p4 top, double mh) {
    p4 x, b;
    double mx = mh > 0 ? mh : rand_bw(r, M_W, G_W, 60, 100);
    decay2(r, top, mx, M_B, &x, &b);
    truth_add(t, T_BQUARK, b);
    if (mh > 0) {
        p4 tau, nu;
        decay2(r, x, M_TAU, 0, &tau, &nu);
        truth_add(t, T_TAU, tau);
        truth_add(t, T_NU, nu);
    } else {
        decay_w(r, t, x, 1);
    }
}

static void ttbar(aedl_rng *r, truth *t, double mh_plus) {
    /* m(tt) from threshold with a falling tail; pT of the pair from ISR. */
    double mtt = 2 * M_TOP + rand_exp(r, 60) + rand_exp(r, 60);
    double pt = rand_lomax(r, 45, 3.0);
    p4 sys = p4_resonance(mtt, pt, rand_rapidity(r, 1.2), rand_phi(r));
    p4 t1, t2;
    decay2(r, sys, rand_bw(r, M_TOP, G_TOP, 160, 185), rand_bw(r, M_TOP, G_TOP, 160, 185), &t1, &t2);
    int which = aedl_rng_uniform(r) < 0.5;                  /* which top gives the H+ */
    decay_top(r, t, t1, mh_plus > 0 && which ? mh_plus : 0);
    decay_top(r, t, t2, mh_plus > 0 && !which ? mh_plus : 0);
    add_recoil(r, t, sys.px, sys.py);
}

/* Resonance of mass m decaying to two leptons of one flavour (or l nu for a W). */
static void vector_boson(aedl_rng *r, truth *t, int is_w) {
    double m = is_w ? rand_bw(r, M_W, G_W, 50, 150) : rand_bw(r, M_Z, G_Z, 60, 130);
    double pt = rand_lomax(r, is_w ? 8.0 : 9.0, 2.2);
    if (pt > 600) pt = 600;
    p4 v = p4_resonance(m, pt, rand_rapidity(r, 1.9), rand_phi(r));
    int l = rand_lepton(r);
    p4 a, b;
    decay2(r, v, lepton_mass(l), is_w ? 0 : lepton_mass(l), &a, &b);
    truth_add(t, l, a);
    truth_add(t, is_w ? T_NU : l, b);
    add_recoil(r, t, v.px, v.py);
}

/* Lepton-enriched multijet: a 2 -> 2 parton scattering with pT-hat ~ pT^-5 above
   25 GeV, final-state splittings, and one parton forced to carry a lepton source
   (semileptonic b decay, a pi0 faking an e/gamma, or a decay-in-flight muon):
   the multijet events that survive a lepton filter are of this kind. */
static void qcd(aedl_rng *r, truth *t) {
    double pthat = 25.0 * pow(1.0 - aedl_rng_uniform(r), -1.0 / 4.0);
    if (pthat > 1500) pthat = 1500;
    double phi = rand_phi(r), y1 = rand_rapidity(r, 1.7), y2 = rand_rapidity(r, 1.7);
    int heavy = aedl_rng_uniform(r) < 0.3;
    int first = t->n;
    truth_add(t, heavy ? T_BQUARK : T_QUARK, p4_ptetaphim(pthat, y1, phi, heavy ? M_B : 0));
    truth_add(t, heavy ? T_BQUARK : T_QUARK, p4_ptetaphim(pthat, y2, phi + PI, heavy ? M_B : 0));
    /* Intrinsic kT: a soft imbalance between the two partons, balanced by ISR. */
    double kx = 4.0 * aedl_rng_normal(r), ky = 4.0 * aedl_rng_normal(r);
    t->p[first].p.px += kx;
    t->p[first].p.py += ky;
    add_recoil(r, t, kx, ky);
    /* Hard final-state splittings. */
    int nsplit = rand_poisson(r, 0.8 + 0.3 * log(pthat / 25.0));
    for (int s = 0; s < nsplit && t->n < TRUTH_MAX; s++) {
        int j = first + (int)aedl_rng_below(r, 2);
        double z = rand_range(r, 0.1, 0.45), pt = p4_pt(t->p[j].p);
        double eta = p4_eta(t->p[j].p), ph = p4_phi(t->p[j].p);
        t->p[j].p = p4_scale(t->p[j].p, 1 - z);
        truth_add(t, T_QUARK, p4_ptetaphim(z * pt, eta + 0.7 * aedl_rng_normal(r),
                                           ph + 0.7 * aedl_rng_normal(r), 0));
    }
    int j = first + (int)aedl_rng_below(r, 2);
    double u = aedl_rng_uniform(r);
    if (heavy) t->p[j].src = u < 0.5 ? SRC_SEMILEP_E : SRC_SEMILEP_MU;
    else t->p[j].src = u < 0.85 ? SRC_FAKE_EG : SRC_FAKE_MU;
}

/* A (50 GeV) -> Z* Z* -> 4 l: the two virtual masses drawn with the two-body phase
   space weight; each Z* -> e e or mu mu. */
static void a_to_4l(aedl_rng *r, truth *t) {
    const double M = 50.0;
    p4 a = p4_resonance(M, rand_lomax(r, 25, 2.3), rand_rapidity(r, 1.8), rand_phi(r));
    double m1, m2;
    for (;;) {
        m1 = rand_range(r, 0.5, M - 0.5);
        m2 = rand_range(r, 0.5, M - 0.5);
        if (m1 + m2 >= M) continue;
        double l = (M * M - (m1 + m2) * (m1 + m2)) * (M * M - (m1 - m2) * (m1 - m2));
        if (aedl_rng_uniform(r) * M * M * M * M < l) break;   /* weight: lambda / lambda_max */
    }
    p4 z1, z2, l1, l2;
    decay2(r, a, m1, m2, &z1, &z2);
    p4 zs[2] = { z1, z2 };
    for (int i = 0; i < 2; i++) {
        int l = aedl_rng_uniform(r) < 0.5 ? T_ELE : T_MU;
        decay2(r, zs[i], lepton_mass(l), lepton_mass(l), &l1, &l2);
        truth_add(t, l, l1);
        truth_add(t, l, l2);
    }
    add_recoil(r, t, a.px, a.py);
}

/* g b -> LQ tau, LQ (80 GeV) -> b tau. */
static void leptoquark(aedl_rng *r, truth *t) {
    const double M = 80.0;
    double mhat = M + M_TAU + 5.0 + rand_exp(r, 70);
    p4 sys = p4_resonance(mhat, rand_lomax(r, 20, 2.5), rand_rapidity(r, 1.5), rand_phi(r));
    p4 lq, tau, b, tau2;
    decay2(r, sys, rand_bw(r, M, 0.5, M - 5, M + 5), M_TAU, &lq, &tau);
    decay2(r, lq, M_B, M_TAU, &b, &tau2);
    truth_add(t, T_TAU, tau);
    truth_add(t, T_BQUARK, b);
    truth_add(t, T_TAU, tau2);
    add_recoil(r, t, sys.px, sys.py);
}

/* Neutral scalar h0 (60 GeV) -> tau tau, gluon fusion with ISR recoil. */
static void h_tautau(aedl_rng *r, truth *t) {
    p4 h = p4_resonance(rand_bw(r, 60.0, 0.1, 59, 61), rand_lomax(r, 20, 2.2),
                        rand_rapidity(r, 1.8), rand_phi(r));
    p4 a, b;
    decay2(r, h, M_TAU, M_TAU, &a, &b);
    truth_add(t, T_TAU, a);
    truth_add(t, T_TAU, b);
    add_recoil(r, t, h.px, h.py);
}

void physics_event(aedl_rng *r, gen_process p, truth *t) {
    t->n = 0;
    switch (p) {
    case P_W: vector_boson(r, t, 1); break;
    case P_Z: vector_boson(r, t, 0); break;
    case P_QCD: qcd(r, t); break;
    case P_TTBAR: ttbar(r, t, 0); break;
    case P_ATO4L: a_to_4l(r, t); break;
    case P_LQ: leptoquark(r, t); break;
    case P_HTAUTAU: h_tautau(r, t); break;
    case P_HCHTAUNU: ttbar(r, t, 60.0); break;
    default: break;                    /* P_BACKGROUND is resolved by gen_event */
    }
}

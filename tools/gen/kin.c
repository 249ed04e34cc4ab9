/* kin.c — four-vectors and sampling helpers for the generator (units: GeV). */
#include <math.h>
#include "gen.h"

#define PI 3.14159265358979323846

p4 p4_ptetaphim(double pt, double eta, double phi, double m) {
    p4 a = { pt * cos(phi), pt * sin(phi), pt * sinh(eta), 0 };
    a.e = sqrt(a.px * a.px + a.py * a.py + a.pz * a.pz + m * m);
    return a;
}

p4 p4_add(p4 a, p4 b) { return (p4){ a.px + b.px, a.py + b.py, a.pz + b.pz, a.e + b.e }; }
p4 p4_scale(p4 a, double s) { return (p4){ a.px * s, a.py * s, a.pz * s, a.e * s }; }
double p4_pt(p4 a) { return hypot(a.px, a.py); }
double p4_phi(p4 a) { return wrap_phi(atan2(a.py, a.px)); }

double p4_eta(p4 a) {
    double pt = p4_pt(a);
    if (pt < 1e-9) return a.pz >= 0 ? 20.0 : -20.0;
    double eta = asinh(a.pz / pt);
    return eta > 20 ? 20 : eta < -20 ? -20 : eta;
}

double p4_m(p4 a) {
    double m2 = a.e * a.e - a.px * a.px - a.py * a.py - a.pz * a.pz;
    return m2 > 0 ? sqrt(m2) : 0.0;
}

p4 p4_boost(p4 p, double bx, double by, double bz) {
    double b2 = bx * bx + by * by + bz * bz;
    if (b2 <= 0) return p;
    double g = 1.0 / sqrt(1.0 - b2), bp = bx * p.px + by * p.py + bz * p.pz;
    double g2 = (g - 1.0) / b2;
    double k = g2 * bp + g * p.e;
    return (p4){ p.px + k * bx, p.py + k * by, p.pz + k * bz, g * (p.e + bp) };
}

p4 p4_resonance(double m, double pt, double y, double phi) {
    double mt = sqrt(m * m + pt * pt);
    return (p4){ pt * cos(phi), pt * sin(phi), mt * sinh(y), mt * cosh(y) };
}

void decay2(aedl_rng *r, p4 parent, double m1, double m2, p4 *d1, p4 *d2) {
    double M = p4_m(parent);
    if (M < m1 + m2) M = m1 + m2 + 1e-6;
    /* Momentum in the rest frame: sqrt(lambda(M^2, m1^2, m2^2)) / 2M. */
    double a = M * M - (m1 + m2) * (m1 + m2), b = M * M - (m1 - m2) * (m1 - m2);
    double p = sqrt(a > 0 ? a * b : 0) / (2 * M);
    double ct = 2 * aedl_rng_uniform(r) - 1, st = sqrt(1 - ct * ct), ph = 2 * PI * aedl_rng_uniform(r);
    double ux = st * cos(ph), uy = st * sin(ph), uz = ct;
    p4 c1 = { p * ux, p * uy, p * uz, sqrt(p * p + m1 * m1) };
    p4 c2 = { -p * ux, -p * uy, -p * uz, sqrt(p * p + m2 * m2) };
    double bx = parent.px / parent.e, by = parent.py / parent.e, bz = parent.pz / parent.e;
    *d1 = p4_boost(c1, bx, by, bz);
    *d2 = p4_boost(c2, bx, by, bz);
}

double wrap_phi(double phi) {
    phi = fmod(phi + PI, 2 * PI);
    if (phi < 0) phi += 2 * PI;
    phi -= PI;
    return phi >= PI ? -PI : phi;
}

double rand_range(aedl_rng *r, double lo, double hi) { return lo + (hi - lo) * aedl_rng_uniform(r); }

double rand_exp(aedl_rng *r, double mean) { return -mean * log(1.0 - aedl_rng_uniform(r)); }

/* Lomax (Pareto II): density ~ (1 + x/scale)^-(shape+1); peaks at 0, power-law tail. */
double rand_lomax(aedl_rng *r, double scale, double shape) {
    double u = 1.0 - aedl_rng_uniform(r);                   /* (0, 1] */
    return scale * (pow(u, -1.0 / shape) - 1.0);
}

/* Non-relativistic Breit-Wigner (Cauchy) truncated to [lo, hi]. */
double rand_bw(aedl_rng *r, double m, double width, double lo, double hi) {
    double a = atan(2 * (lo - m) / width), b = atan(2 * (hi - m) / width);
    return m + 0.5 * width * tan(a + (b - a) * aedl_rng_uniform(r));
}

int rand_poisson(aedl_rng *r, double mean) {
    double l = exp(-mean), p = 1.0;
    int k = 0;
    do { k++; p *= aedl_rng_uniform(r); } while (p > l && k < 100);
    return k - 1;
}

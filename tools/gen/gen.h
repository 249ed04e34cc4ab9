/* gen.h — aedl-gen internals: a toy but physically sensible event generator for
 * ADC2021-format data.  Three stages, one file each:
 *
 *   kin.c       four-vectors, boosts, two-body decays, sampling helpers
 *   physics.c   processes -> truth particles (leptons, taus, quarks, neutrinos)
 *   detector.c  tau decays, fragmentation, acceptance, efficiency, smearing,
 *               MET; packing into the (19, 4) ADC2021 row layout; the lepton filter
 *   output.c    HDF5 and CSV writers (atomic)
 *   main.c      the command line
 *
 * docs/data.md describes the model of every process. */
#ifndef AEDL_GEN_H
#define AEDL_GEN_H
#include <stddef.h>
#include <stdint.h>
#include "rng.h"

/* ---- kinematics (kin.c) ------------------------------------------------------ */
typedef struct { double px, py, pz, e; } p4;

p4 p4_ptetaphim(double pt, double eta, double phi, double m);
p4 p4_add(p4 a, p4 b);
p4 p4_scale(p4 a, double s);
double p4_pt(p4 a);
double p4_eta(p4 a);            /* pseudorapidity; +-20 along the beam */
double p4_phi(p4 a);            /* [-pi, pi) */
double p4_m(p4 a);              /* invariant mass (0 if slightly negative) */
/* Boosts p by the velocity (bx, by, bz), |b| < 1. */
p4 p4_boost(p4 p, double bx, double by, double bz);
/* A particle of mass m with transverse momentum pt, rapidity y, azimuth phi. */
p4 p4_resonance(double m, double pt, double y, double phi);
/* Isotropic two-body decay of parent (mass >= m1 + m2) into d1, d2 in the lab. */
void decay2(aedl_rng *r, p4 parent, double m1, double m2, p4 *d1, p4 *d2);

double wrap_phi(double phi);                                 /* into [-pi, pi) */
double rand_range(aedl_rng *r, double lo, double hi);        /* uniform */
double rand_lomax(aedl_rng *r, double scale, double shape);  /* heavy-tailed pT spectrum */
double rand_bw(aedl_rng *r, double m, double width, double lo, double hi); /* Breit-Wigner */
int rand_poisson(aedl_rng *r, double mean);
double rand_exp(aedl_rng *r, double mean);

/* ---- truth particles (physics.c) ----------------------------------------------- */
enum {
    T_ELE, T_MU, T_TAU,         /* charged leptons */
    T_NU,                       /* neutrinos (invisible) */
    T_QUARK, T_BQUARK,          /* partons that become jets (gluons are T_QUARK) */
    T_TAUJET,                   /* visible hadronic tau decay (made by detector.c) */
    T_PILEUP                    /* pileup jet: visible, not part of the hard event */
};
/* A parton may carry a lepton source, used by the fragmentation step. */
enum { SRC_NONE, SRC_SEMILEP_E, SRC_SEMILEP_MU, SRC_FAKE_EG, SRC_FAKE_MU };

#define TRUTH_MAX 96
typedef struct { p4 p; int kind; int src; } tpart;
typedef struct { tpart p[TRUTH_MAX]; int n; } truth;

void truth_add(truth *t, int kind, p4 p);

/* Processes.  Components of the background cocktail and the four signals. */
typedef enum {
    P_W, P_QCD, P_Z, P_TTBAR,               /* background components */
    P_BACKGROUND,                           /* the cocktail of the four above */
    P_ATO4L, P_LQ, P_HTAUTAU, P_HCHTAUNU,   /* signals */
    P_COUNT
} gen_process;

typedef struct {
    const char *name;           /* --process NAME */
    const char *file;           /* default output file name */
    const char *about;          /* one line for --help */
} gen_process_info;
extern const gen_process_info gen_processes[P_COUNT];
int gen_process_by_name(const char *name);   /* -1 if unknown */

/* Fills t with one hard-scattering event of a single process (not P_BACKGROUND). */
void physics_event(aedl_rng *r, gen_process p, truth *t);

/* ---- detector and ADC2021 layout (detector.c) ---------------------------------- */
#define ADC_ROWS 19
#define ADC_COLS 4
enum { ADC_MET = 0, ADC_ELE = 1, ADC_MU = 5, ADC_JET = 9 };    /* first row of each kind */
enum { N_ELE = 4, N_MU = 4, N_JET = 10 };
#define LEP_FILTER_PT 23.0
#define ETA_MAX_ELE 3.0
#define ETA_MAX_MU 2.1
#define ETA_MAX_JET 4.0
#define PT_MIN_LEP 3.0
#define PT_MIN_JET 15.0

typedef struct { float pt, eta, phi, e; } reco_obj;
#define RECO_MAX 64
typedef struct {
    reco_obj ele[RECO_MAX], mu[RECO_MAX], jet[RECO_MAX];   /* pT-ordered */
    int ne, nm, nj;
    float met, met_phi;
} reco_event;

/* Tau decays, fragmentation, detector response; fills ev (objects pT-ordered). */
void detector_event(aedl_rng *r, const truth *t, reco_event *ev);
/* Leading e/gamma or muon pT > LEP_FILTER_PT. */
int passes_lepton_filter(const reco_event *ev);
/* The (19, 4) ADC2021 rows: MET, 4 e/gamma, 4 mu, 10 jets, (pT, eta, phi, class). */
void adc_pack(const reco_event *ev, float out[ADC_ROWS][ADC_COLS]);

/* One filtered event of process p (P_BACKGROUND picks a component by the cocktail
   fractions).  Returns the number of tries the filter needed (>= 1). */
long gen_event(aedl_rng *r, gen_process p, reco_event *ev, gen_process *component);

/* ---- output (output.c) ----------------------------------------------------------- */
typedef struct {
    int quiet;                  /* no progress lines */
    int plain;                  /* progress as whole lines even on a terminal (parallel runs) */
    const char *label;          /* shown in progress lines */
} gen_opts;

/* Writes n events of process p (seeded with seed) as an ADC2021 HDF5 file. */
int write_events_h5(const char *path, gen_process p, size_t n, uint64_t seed, const gen_opts *o);
/* Writes n jets (pT, eta, phi, E) of process p: HDF5 dataset "jets" (n, 4), or CSV
   with a header line when path ends in ".csv". */
int write_jets(const char *path, gen_process p, size_t n, uint64_t seed, const gen_opts *o);
/* The RNG seed of a file: the user's seed mixed with the process and the kind of file,
   so that --all and single runs with the same seed give identical files. */
uint64_t file_seed(uint64_t seed, gen_process p, int jets);

#endif

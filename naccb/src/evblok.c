/* evblok.c - placeholder until implemented. */
typedef int naccb_placeholder_evblok_;

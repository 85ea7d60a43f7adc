/* match.c - placeholder until implemented. */
typedef int naccb_placeholder_match_;

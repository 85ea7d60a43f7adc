/* framer.c - placeholder until implemented. */
typedef int naccb_placeholder_framer_;

/* packed.c - placeholder until implemented. */
typedef int naccb_placeholder_packed_;

/* header.c - placeholder until implemented. */
typedef int naccb_placeholder_header_;

/* ebcdic.c - placeholder until implemented. */
typedef int naccb_placeholder_ebcdic_;

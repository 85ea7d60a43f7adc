/* eotinfo.c - placeholder until implemented. */
typedef int naccb_placeholder_eotinfo_;

/* home.h — where aedlc's own files are (the stdlib, the runtime library and
 * headers, the ap_fixed headers), found from the running executable:
 *
 *   <bin>/../share/aedl/INSTALLED      after `make install`
 *   <bin>/../SOURCE, <bin>/../../SOURCE  run from build/ or build/san/
 *   AEDL_SRCDIR/SOURCE                 any other build folder (the source tree
 *                                      aedlc was compiled in)
 */
#ifndef AEDL_HOME_H
#define AEDL_HOME_H

/* The folder of the running aedlc (exe: its path, or NULL for this process);
   NULL when unknown.  Caller frees. */
char *aedl_exe_dir(const char *exe);
/* The first of the folders above that holds the file PROBE, as an absolute
   path; NULL when none does.  Caller frees. */
char *aedl_home_find(const char *exe, const char *installed, const char *source, const char *probe);

#endif

// hiredis 0.14 (Debian's libhiredis-dev): the runtime tools link its static archive.
#include <hiredis/hiredis.h>

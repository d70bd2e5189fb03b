// hiredis 0.14 (Debian's libhiredis-dev): everything that uses it links its static archive
// (Package.swift, RelayCtrlRedis's linker settings).
#include <hiredis/hiredis.h>

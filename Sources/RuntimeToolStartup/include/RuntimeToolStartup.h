/* Nothing to call: linking argv.c is what it does (see there). */
#ifndef RUNTIME_TOOL_STARTUP_H
#define RUNTIME_TOOL_STARTUP_H
#endif

/* The runtime version calls, so a host can check which library it loaded. */
#include "miowin.h"

MIOW_EXTERN uint32_t MIOW_CALL miow_version(void) { return MIOW_VERSION_NUMBER; }

MIOW_EXTERN const char *MIOW_CALL miow_version_string(void) { return MIOW_VERSION_STRING; }

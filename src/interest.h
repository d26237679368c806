/* Validation of interest words and readiness masks, shared by every backend. */
#ifndef MIOW_API_INTEREST_H
#define MIOW_API_INTEREST_H

#include <stdbool.h>
#include <stdint.h>

#include "miowin.h"

#define INTEREST_BITS (MIOW_READABLE | MIOW_WRITABLE | MIOW_PRIORITY)
#define INTEREST_MODES (MIOW_EDGE | MIOW_ONESHOT)
#define READINESS_BITS (INTEREST_BITS | MIOW_ERROR | MIOW_READ_CLOSED | MIOW_WRITE_CLOSED)

/* At least one interest bit, at most one mode bit, nothing else. */
bool interest_is_valid(uint32_t interests);

/* Non-empty and made of readiness bits only. */
bool readiness_is_valid(uint32_t readiness);

#endif
